// NHWC max and average pooling, their gradients (pool.cu: tfjs' clipped windows, so 'same' padding
// averages over the covered elements only), and FusedBatchNorm (batch-norm.cu; its gradient is
// composed of other kernels by tfjs).
import * as tf from '@tensorflow/tfjs';
import { poolGeometry as geometry, type PoolAttrs } from '../window-attrs.js';
import { sizeOf } from './cuda-backend.js';
import { cudaKernel, input, requireFloat, type CudaKernel, type Info } from './kernel.js';

const pool = (name: 'MaxPool' | 'AvgPool') => cudaKernel<PoolAttrs>(name, ({ inputs, backend, attrs }) => {
  const x = input(name, inputs, 'x');
  requireFloat(name, x);
  const g = geometry([...x.shape], attrs);
  const y = backend.makeOutput(g.outShape, 'float32');
  if (sizeOf(g.outShape) > 0) (name === 'MaxPool' ? backend.addon.maxPool : backend.addon.avgPool)(backend.ptr(x), backend.ptr(y), g.geometry);
  return y;
});

const maxPoolGrad = cudaKernel<PoolAttrs>('MaxPoolGrad', ({ inputs, backend, attrs }) => {
  const dy = input('MaxPoolGrad', inputs, 'dy');
  const x = input('MaxPoolGrad', inputs, 'input');
  requireFloat('MaxPoolGrad', dy, x);
  const dx = backend.makeOutput([...x.shape], 'float32');
  backend.addon.maxPoolGrad(backend.ptr(dy), backend.ptr(x), backend.ptr(dx), geometry([...x.shape], attrs).geometry);
  return dx;
});

const avgPoolGrad = cudaKernel<PoolAttrs>('AvgPoolGrad', ({ inputs, backend, attrs }) => {
  const dy = input('AvgPoolGrad', inputs, 'dy');
  const x = input('AvgPoolGrad', inputs, 'input');
  requireFloat('AvgPoolGrad', dy);
  const dx = backend.makeOutput([...x.shape], 'float32');
  backend.addon.avgPoolGrad(backend.ptr(dy), backend.ptr(dx), geometry([...x.shape], attrs).geometry);
  return dx;
});

const batchNorm = cudaKernel<{ varianceEpsilon?: number }>('FusedBatchNorm', ({ inputs, backend, attrs }) => {
  const x = input('FusedBatchNorm', inputs, 'x');
  const mean = input('FusedBatchNorm', inputs, 'mean');
  const variance = input('FusedBatchNorm', inputs, 'variance');
  const { offset, scale } = inputs;
  requireFloat('FusedBatchNorm', ...[x, mean, variance, offset, scale].filter((t): t is Info => t !== undefined));
  const y = backend.makeOutput([...x.shape], 'float32');
  const p = (t: Info | undefined) => (t ? backend.ptr(t) : null);
  const len = (t: Info | undefined) => (t ? sizeOf(t.shape) : 1);
  backend.addon.batchNorm(backend.ptr(x), backend.ptr(mean), len(mean), backend.ptr(variance), len(variance), p(offset), len(offset),
    p(scale), len(scale), attrs.varianceEpsilon ?? 0.001, backend.ptr(y), sizeOf(x.shape));
  return y;
});

export const POOL_KERNELS: CudaKernel[] = [pool('MaxPool'), pool('AvgPool'), maxPoolGrad, avgPoolGrad, batchNorm];
