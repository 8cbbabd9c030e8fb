// Float32 comparisons against a scalar or on equal shapes, into tfjs' bool tensors (one byte per
// value). ClipByValue's gradient (categorical cross-entropy clips its probabilities) compares every
// step against its two bounds, scalars, which tfjs' cpu kernel takes through its generic broadcast
// path, an index computation per element. Plain JS: the tensors are a batch's [n, classes].
// Other broadcasts and dtypes fall back to cpu.
import { isFloat, nativeKernel, sameShape, sizeOf, type NativeKernel } from './kernel.js';

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
  const [sa, sb] = [sizeOf(a!.shape), sizeOf(b!.shape)];
  const same = sameShape(a!.shape, b!.shape);
  // A scalar of any rank broadcasts only when the other side's rank is at least its own.
  const scalarB = !same && sb === 1 && b!.shape.length <= a!.shape.length;
  const scalarA = !same && !scalarB && sa === 1 && a!.shape.length <= b!.shape.length;
  if (!same && !scalarA && !scalarB) return null;
  const [x, y] = [backend.values(a!), backend.values(b!)];
  const shape = scalarA ? b!.shape : a!.shape;
  const out = new Uint8Array(sizeOf(shape));
  if (same) for (let i = 0; i < out.length; i++) out[i] = op(x[i], y[i]) ? 1 : 0;
  else if (scalarB) for (let i = 0, s = y[0]; i < out.length; i++) out[i] = op(x[i], s) ? 1 : 0;
  else for (let i = 0, s = x[0]; i < out.length; i++) out[i] = op(s, y[i]) ? 1 : 0;
  return backend.makeTensorInfo([...shape], 'bool', out);
});

export const COMPARE_KERNELS: NativeKernel[] = Object.entries(COMPARISONS).map(([name, op]) => compare(name, op));
