// While 'cuda' is the active backend, tfjs' AdamOptimizer.applyGradients runs one fused kernel
// per variable (adam.cu: the same float32 operations in the same order as tfjs' ~14 op-by-op
// passes, so bit-identical results) and keeps the optimizer's state exactly as tfjs would (moment
// variables, accBeta1/2, iterations), so weights and optimizer state save and load unchanged.
// The bias corrections 1 - beta^t are needed on the host; reading accBeta1/2 back every step
// would stall the GPU queue, so the host follows them itself (the same float32 products tfjs
// computes) and reads them only when the optimizer's iteration count says someone else moved them.
// Other optimizers (SGD, RMSprop) run tfjs' op-by-op updates on this backend's kernels.
import * as tf from '@tensorflow/tfjs';
import { adamStep, hookAdam, type AdamState, type Grads } from '../adam-hook.js';
import type { CudaBackend } from './cuda-backend.js';

/** accBeta1/2 as the host last knew them, and at which iteration count. */
const shadows = new WeakMap<object, { acc1: number; acc2: number; iteration: number }>();

export function installCudaAdam(backendName: string): void {
  hookAdam(backendName, (o, g) => fusedStep(o, g, tf.backend() as CudaBackend));
}

function biasCorrections(o: AdamState): { acc1: number; acc2: number } {
  let s = shadows.get(o);
  if (!s || s.iteration !== o.iterations) {
    s = { acc1: o.accBeta1.dataSync()[0], acc2: o.accBeta2.dataSync()[0], iteration: o.iterations };
    shadows.set(o, s);
  }
  return s;
}

function fusedStep(o: AdamState, g: Grads, backend: CudaBackend): void {
  const f = Math.fround;
  const { acc1, acc2 } = biasCorrections(o);
  const scalars = [f(o.beta1), f(1 - o.beta1), f(o.beta2), f(1 - o.beta2), f(1 - acc1), f(1 - acc2), f(o.epsilon), f(-o.learningRate)];
  adamStep(o, g, (value, m, v, gradient) => {
    const shape = [...value.shape];
    const [pOut, mOut, vOut] = [backend.makeOutput(shape, 'float32'), backend.makeOutput(shape, 'float32'), backend.makeOutput(shape, 'float32')];
    backend.addon.adam(backend.ptr(value), backend.ptr(m), backend.ptr(v), backend.ptr(gradient), backend.ptr(pOut), backend.ptr(mOut), backend.ptr(vOut), value.size, scalars);
    return [pOut, mOut, vOut];
  });
  // The same float32 products tfjs just queued on the device.
  shadows.set(o, { acc1: f(acc1 * f(o.beta1)), acc2: f(acc2 * f(o.beta2)), iteration: o.iterations });
}
