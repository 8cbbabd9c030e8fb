// Elementwise float32 kernels: binary ops where the operands have equal shapes, one is a scalar,
// one repeats along the leading axes of the other (a bias), or one holds a value per row of the
// other (a [n, 1] column: a loss's per-example sums against its [n, classes] terms, forward and
// backward, where tfjs' cpu kernel takes its generic broadcast, ~1 µs an element); unary ops.
// Other broadcasts and dtypes fall back to cpu.
import * as tf from '@tensorflow/tfjs';
import { isFloat, nativeKernel, sameShape, sizeOf, type NativeKernel } from './kernel.js';

// Codes shared with native/src/eltwise.cc.
const BINARY = ['Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum', 'SquaredDifference'] as const;
const UNARY = ['Sqrt', 'Square', 'Relu', 'Step', 'Neg', 'Exp', 'Log', 'Sigmoid', 'Tanh', 'Rsqrt', 'Abs', 'Reciprocal'] as const;
/** kReluGrad, after tfjs' binaries: dy * step(y), no tfjs kernel (the fused conv layer's backward, conv-relu.ts). */
export const RELU_GRAD_OP = BINARY.length;
export const binaryCode = (name: (typeof BINARY)[number]): number => BINARY.indexOf(name);
export const unaryCode = (name: (typeof UNARY)[number]): number => UNARY.indexOf(name);
export enum Layout { Same, ScalarA, ScalarB, RowA, RowB, ColA, ColB }

const stripLeadingOnes = (shape: number[]) => shape.slice(Math.max(0, shape.findIndex((d) => d !== 1)) );
/** True when `small` (ignoring leading 1s) is the trailing part of `big`. */
const isSuffix = (small: number[], big: number[]) => {
  const s = small.every((d) => d === 1) ? [] : stripLeadingOnes(small);
  return s.length <= big.length && s.every((d, i) => d === big[big.length - s.length + i]);
};
/** True when `col` is `full` with its last dimension 1: one value per row of `full`. */
const isColumn = (col: number[], full: number[]) =>
  col.length === full.length && full.length >= 2 && col[col.length - 1] === 1 && full[full.length - 1] > 1 && sameShape(col.slice(0, -1), full.slice(0, -1));

/** How two operands line up with their broadcast output, or null for a broadcast not covered here. */
export function layout(a: number[], b: number[]): { layout: Layout; shape: number[]; row: number } | null {
  if (sameShape(a, b)) return { layout: Layout.Same, shape: a, row: 1 };
  const out = tf.backend_util.assertAndGetBroadcastShape(a, b);
  const sa = sizeOf(a);
  const sb = sizeOf(b);
  if (sb === 1 && sameShape(out, a)) return { layout: Layout.ScalarB, shape: out, row: 1 };
  if (sa === 1 && sameShape(out, b)) return { layout: Layout.ScalarA, shape: out, row: 1 };
  if (sameShape(out, a) && isSuffix(b, a) && sa === sizeOf(out)) return { layout: Layout.RowB, shape: out, row: sb };
  if (sameShape(out, b) && isSuffix(a, b) && sb === sizeOf(out)) return { layout: Layout.RowA, shape: out, row: sa };
  if (sameShape(out, a) && isColumn(b, a)) return { layout: Layout.ColB, shape: out, row: a[a.length - 1] };
  if (sameShape(out, b) && isColumn(a, b)) return { layout: Layout.ColA, shape: out, row: b[b.length - 1] };
  return null;
}

const binary = (name: string, code: number) => nativeKernel(name, ({ inputs: { a, b }, backend }) => {
  if (!isFloat(a, b)) return null;
  const l = layout(a!.shape, b!.shape);
  if (!l) return null;
  const out = backend.alloc(sizeOf(l.shape));
  if (out.length > 0) backend.addon.binary(code, backend.values(a!), backend.values(b!), out, l.layout, l.row);
  return backend.output([...l.shape], out);
});

const unary = (name: string, code: number) => nativeKernel<{ alpha?: number }>(name, ({ inputs: { x }, backend, attrs }) => {
  if (!isFloat(x)) return null;
  const out = backend.alloc(sizeOf(x!.shape));
  if (out.length > 0) backend.addon.unary(code, backend.values(x!), out, attrs?.alpha ?? 0);
  return backend.output([...x!.shape], out);
});

export const ELTWISE_KERNELS: NativeKernel[] = [
  ...BINARY.map((name, code) => binary(name, code)),
  ...UNARY.map((name, code) => unary(name, code)),
];
