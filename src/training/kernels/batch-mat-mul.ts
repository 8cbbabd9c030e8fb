// Why: the wasm backend's BatchMatMul runs XNNPACK only without transposeA/transposeB (and batch
// 1); with either flag it falls back to a naive loop 5-20x slower, and every Dense layer's
// gradient uses the flags (dW = x^T dy, dx = dy W^T). This wraps the backend's own kernel:
// - transposeA: explicit Transpose of a, then the fast path.
// - transposeB, batch 1: XNNPACK re-packs b on every call, so for dx = dy W^T with a large W we
//   compute (W dy^T)^T instead: only the small dy and the output get transposed.
import * as tf from '@tensorflow/tfjs';
import { callKernel, release, type Backend, type Info } from './kernel-utils.js';

const size = (t: Info) => t.shape.reduce((p, d) => p * d, 1);

function swapLastTwo(backendName: string, backend: Backend, x: Info): Info {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return callKernel(backendName, backend, 'Transpose', { x }, { perm });
}

export function batchMatMulConfig(backendName: string, original: tf.KernelConfig): tf.KernelConfig {
  const plain = (backend: Backend, a: Info, b: Info, attrs?: tf.NamedAttrMap): Info =>
    original.kernelFunc({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } }) as Info;

  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs?: tf.NamedAttrMap }): Info => {
    const { inputs, backend } = args;
    const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args) as Info;
    const a = inputs.a as Info;
    const b = inputs.b as Info;
    const created: Info[] = [];
    const rank2 = a.shape.length === 2 && b.shape.length === 2;
    if (attrs.transposeB && !attrs.transposeA && rank2 && size(b) > a.shape[0] * b.shape[0]) {
      // (a b^T) = (b a^T)^T: the big b is read in place; a^T and the output are transposed.
      const at = swapLastTwo(backendName, backend, a);
      const outT = plain(backend, b, at, args.attrs);
      const out = swapLastTwo(backendName, backend, outT);
      release(backend, at, outT);
      return out;
    }
    let a2 = a;
    let b2 = b;
    if (attrs.transposeA) created.push((a2 = swapLastTwo(backendName, backend, a)));
    if (attrs.transposeB) created.push((b2 = swapLastTwo(backendName, backend, b)));
    const out = plain(backend, a2, b2, args.attrs);
    release(backend, ...created);
    return out;
  };
  // Keep the original's setup/dispose: they bind the wasm functions the wrapped kernel calls.
  return {
    kernelName: 'BatchMatMul', backendName, kernelFunc: kernelFunc as tf.KernelFunc,
    setupFunc: original.setupFunc, disposeFunc: original.disposeFunc,
  };
}
