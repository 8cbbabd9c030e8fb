// Registers the kernels our training needs on top of what tfjs ships (see each file for why).
// Replaced kernels are remembered so tests can compare against, or restore, the originals.
import * as tf from '@tensorflow/tfjs';
import { avgPoolGradConfig } from './avg-pool-grad.js';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { sumConfig } from './sum.js';
import { tileConfig } from './tile.js';
import { transposeConfig } from './transpose.js';

const originals = new Map<string, tf.KernelConfig | undefined>(); // key: backend/kernel
const key = (backendName: string, kernelName: string) => `${backendName}/${kernelName}`;

function replace(backendName: string, kernelName: string, make: (original?: tf.KernelConfig) => tf.KernelConfig): void {
  const k = key(backendName, kernelName);
  if (originals.has(k)) return; // already ours
  const original = tf.getKernel(kernelName, backendName);
  originals.set(k, original);
  if (original) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel(make(original));
}

/** The backends our kernels are for; every other name is left alone. */
const CONV_GRADIENT_BACKENDS = new Set(['cpu', 'wasm', 'webgpu']);

/**
 * Idempotent. Call after the backend is initialized (wrapped kernels reuse its setup). Any backend
 * name is accepted: those we have nothing for ('native' registers its own kernels, 'tensorflow'
 * has native ones) are a no-op.
 */
export function registerTrainingKernels(backendName: string): void {
  if (!CONV_GRADIENT_BACKENDS.has(backendName)) return;
  // cpu, wasm and webgpu. Measured on cpu at 32x26x26x64 -> 48 (3x3): own filter gradient 188 s vs
  // 2.4 s rewritten; own input gradient 3.9 s vs 2.4 s. wasm has no filter gradient at all. On an
  // H100 through WebGPU, the notebook's model trained at 2,072 samples/s (batch 128) rewritten vs
  // 1,162 with the webgpu backend's own gradients.
  replace(backendName, 'Conv2DBackpropFilter', (o) => conv2dBackpropFilterConfig(backendName, o));
  replace(backendName, 'Conv2DBackpropInput', (o) => conv2dBackpropInputConfig(backendName, o));
  // A correctness fix, not a speed-up: tfjs' own gradient is wrong where a window overlaps 'same' padding.
  replace(backendName, 'AvgPoolGrad', (o) => {
    if (!o) throw new Error(`${backendName} backend has no AvgPoolGrad to wrap`);
    return avgPoolGradConfig(backendName, o);
  });
  if (backendName !== 'wasm') return;
  // Wrappers that handle the slow cases themselves and pass the rest to the original.
  const wrappers: [string, (backend: string, original: tf.KernelConfig) => tf.KernelConfig][] = [
    ['BatchMatMul', batchMatMulConfig], ['Sum', sumConfig], ['Transpose', transposeConfig],
    ['Tile', tileConfig], ['MaxPoolGrad', maxPoolGradConfig],
  ];
  for (const [kernelName, wrap] of wrappers) {
    replace(backendName, kernelName, (o) => {
      if (!o) throw new Error(`wasm backend has no ${kernelName} to wrap`);
      return wrap(backendName, o);
    });
  }
}

/** The kernel tfjs itself registered, if we replaced it (for tests and fallbacks). */
export function originalKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  const k = key(backendName, kernelName);
  return originals.has(k) ? originals.get(k) : tf.getKernel(kernelName, backendName);
}

/** Puts back what tfjs registered (tests use it to get reference results). */
export function unregisterTrainingKernels(backendName: string): void {
  for (const [k, original] of [...originals]) {
    const [b, kernelName] = k.split('/');
    if (b !== backendName) continue;
    tf.unregisterKernel(kernelName, b);
    if (original) tf.registerKernel(original);
    originals.delete(k);
  }
}
