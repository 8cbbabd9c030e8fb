// tfjs' Adam does ~14 elementwise passes (each a new tensor) over every variable per step; for
// the notebook model's 1.3M-weight dense kernel that was a fifth of a native training step. While
// the active backend is 'native', AdamOptimizer.applyGradients runs one fused addon pass per
// variable instead, doing the same float32 operations in the same order (identical results; see
// native/src/adam.cc), and keeps the optimizer's state exactly as tfjs would (moment variables,
// accBeta1/2, iterations), so switching backends or saving weights is unaffected. On any other
// backend, or a non-float32 variable, tfjs' own method runs. A variable's array is updated in
// place unless something else can see it.
import * as tf from '@tensorflow/tfjs';
import { adamStep, hookAdam, type AdamState, type Grads } from '../adam-hook.js';
import type { NativeBackend } from './native-backend.js';

export function installFusedAdam(backendName: string): void {
  hookAdam(backendName, (o, g) => fusedStep(o, g, tf.backend() as NativeBackend));
}

function fusedStep(o: AdamState, g: Grads, backend: NativeBackend): void {
  const f = Math.fround;
  // The scalars tfjs' ops would use, as the float32 tensors they become.
  const oneMinusAccBeta1 = f(1 - f(o.accBeta1.dataSync()[0]));
  const oneMinusAccBeta2 = f(1 - f(o.accBeta2.dataSync()[0]));
  const scalars = [f(o.beta1), f(1 - o.beta1), f(o.beta2), f(1 - o.beta2), oneMinusAccBeta1, oneMinusAccBeta2, f(o.epsilon), f(-o.learningRate)];
  adamStep(o, g, (value, m, v, gradient) => {
    // In place where only this variable sees its values, as PyTorch's Adam: writing three fresh
    // arrays for a 4M-weight dense kernel made a step's time outside kernels 9.8-10.6 ms against
    // 6.1-7.8 in place (bench/RESULTS.md). The new tensors share the array under new data ids, so
    // nothing cached by id (bf16 copies, filter layouts) goes stale.
    const into = (t: tf.TensorInfo) => (backend.soleOwner(t) ? backend.values(t) : backend.alloc(value.size));
    const [pOut, mOut, vOut] = [into(value), into(m), into(v)];
    // A weight a bf16 kernel read this step (it has a bf16 copy) is read so next step as well: its
    // new copy comes out of this pass instead of a conversion pass over it then.
    const copy = backend.hasBf16(value) ? backend.allocBf16(value.size) : null;
    backend.addon.adam(backend.values(value), backend.values(m), backend.values(v), backend.values(gradient), pOut, mOut, vOut, scalars, copy);
    const outs = [pOut, mOut, vOut].map((values) => backend.output([...value.shape], values)) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
    if (copy) backend.adoptBf16(outs[0], copy);
    return outs;
  });
}
