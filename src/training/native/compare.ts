// Float32 comparisons against a scalar or on equal shapes, into tfjs' bool tensors (one byte per
// value). ClipByValue's gradient (categorical cross-entropy clips its probabilities) compares every
// step against its two bounds, scalars, which tfjs' cpu kernel takes through its generic broadcast
// path, an index computation per element. Plain JS: the tensors are a batch's [n, classes].
// Other broadcasts and dtypes fall back to cpu.
import { layout, Layout } from './eltwise.js';
import { isFloat, nativeKernel, sizeOf, type NativeKernel } from './kernel.js';

const COMPARISONS: Record<string, (a: number, b: number) => boolean> = {
  Greater: (a, b) => a > b,
  GreaterEqual: (a, b) => a >= b,
  Less: (a, b) => a < b,
  LessEqual: (a, b) => a <= b,
  Equal: (a, b) => a === b,
  NotEqual: (a, b) => a !== b,
};

const compare = (name: string, op: (a: number, b: number) => boolean) => nativeKernel(name, ({ inputs: { a, b }, backend }) => {
  if (!isFloat(a, b)) return null;
  // The binary kernels' own reading of the shapes (eltwise.ts): only equal shapes and scalars here.
  const l = layout(a!.shape, b!.shape);
  if (!l || (l.layout !== Layout.Same && l.layout !== Layout.ScalarA && l.layout !== Layout.ScalarB)) return null;
  const [x, y] = [backend.values(a!), backend.values(b!)];
  const out = new Uint8Array(sizeOf(l.shape));
  if (l.layout === Layout.Same) for (let i = 0; i < out.length; i++) out[i] = op(x[i], y[i]) ? 1 : 0;
  else if (l.layout === Layout.ScalarB) for (let i = 0, s = y[0]; i < out.length; i++) out[i] = op(x[i], s) ? 1 : 0;
  else for (let i = 0, s = x[0]; i < out.length; i++) out[i] = op(s, y[i]) ? 1 : 0;
  return backend.makeTensorInfo([...l.shape], 'bool', out);
});

export const COMPARE_KERNELS: NativeKernel[] = Object.entries(COMPARISONS).map(([name, op]) => compare(name, op));
