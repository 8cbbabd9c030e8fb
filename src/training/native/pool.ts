// MaxPool, AvgPool and their gradients in the addon (NHWC, no dilation), with the cpu kernels'
// semantics (first maximum wins), except that AvgPoolGrad divides by the window's pixels inside the
// input, as the forward pass does (tfjs' own divides by the full window; see ../kernels/avg-pool-grad.ts).
import * as tf from '@tensorflow/tfjs';
import { poolGeometry, type PoolAttrs } from '../window-attrs.js';
import { isFloat, nativeKernel, sizeOf } from './kernel.js';

const pool = (name: string, kind: 'maxPool' | 'avgPool') => nativeKernel<PoolAttrs>(name, ({ inputs: { x }, backend, attrs }) => {
  if (!isFloat(x) || x!.shape.length !== 4) return null;
  const { geometry, outShape } = poolGeometry(x!.shape, attrs);
  const y = backend.alloc(sizeOf(outShape));
  if (y.length > 0) backend.addon[kind](backend.values(x!), y, geometry);
  return backend.output(outShape, y);
});

export const maxPoolGrad = nativeKernel<PoolAttrs>('MaxPoolGrad', ({ inputs: { dy, input }, backend, attrs }) => {
  if (!isFloat(dy, input) || input!.shape.length !== 4) return null;
  const { geometry } = poolGeometry(input!.shape, attrs);
  const dx = backend.alloc(sizeOf(input!.shape));
  if (dx.length > 0) backend.addon.maxPoolGrad(backend.values(dy!), backend.values(input!), dx, geometry);
  return backend.output([...input!.shape], dx);
});

export const avgPoolGrad = nativeKernel<PoolAttrs>('AvgPoolGrad', ({ inputs: { dy, input }, backend, attrs }) => {
  if (!isFloat(dy) || input!.shape.length !== 4) return null;
  const { geometry } = poolGeometry(input!.shape, attrs);
  const dx = backend.alloc(sizeOf(input!.shape));
  if (dx.length > 0) backend.addon.avgPoolGrad(backend.values(dy!), dx, geometry);
  return backend.output([...input!.shape], dx);
});

export const maxPool = pool('MaxPool', 'maxPool');
export const POOL_KERNELS = [maxPool, pool('AvgPool', 'avgPool'), maxPoolGrad, avgPoolGrad];
