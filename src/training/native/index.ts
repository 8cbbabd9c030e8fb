// The 'native' training backend: tfjs' cpu backend with its heavy kernels (convolutions, matrix
// products, pooling, elementwise ops, sums) replaced by a Node-API addon over oneDNN, gathers by
// row copies (gather.ts), softmax by rows (softmax.ts) and comparisons against a scalar
// (compare.ts). Anything not covered runs the cpu backend's own JS kernel on the same tensors.
// While it is active, Adam updates each variable in one fused pass (adam.ts), conv layers with a
// ReLU train as one kernel (conv-relu.ts), and so do the sparse loss and accuracy (sparse-loss.ts);
// a plain conv/dense classifier's step calls them directly, past tfjs' engine (direct-step.ts).
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../backend-unavailable.js';
import { registerDirectStep } from '../direct-step-route.js';
import { installFusedAdam } from './adam.js';
import { loadAddon, type OpenMpWait } from './addon.js';
import { COMPARE_KERNELS } from './compare.js';
import { CONV_KERNELS } from './conv.js';
import { nativeDirectStep } from './direct-step.js';
import { registerConvRelu } from './conv-relu.js';
import { ELTWISE_KERNELS } from './eltwise.js';
import { gatherV2 } from './gather.js';
import type { Args, NativeKernel } from './kernel.js';
import { MATMUL_KERNELS } from './matmul.js';
import { NativeBackend } from './native-backend.js';
import { POOL_KERNELS } from './pool.js';
import { REDUCE_KERNELS } from './reduce.js';
import { softmax } from './softmax.js';
import { registerSparseLoss } from './sparse-loss.js';

export const NATIVE_BACKEND = 'native';

/** Every kernel the addon provides, by tfjs kernel name. */
export const NATIVE_KERNELS: readonly NativeKernel[] = [...CONV_KERNELS, ...MATMUL_KERNELS, ...ELTWISE_KERNELS, ...REDUCE_KERNELS, ...POOL_KERNELS, ...COMPARE_KERNELS, gatherV2, softmax];

let registered = false;

/** Why the native backend cannot run here, or undefined when it can (does not register anything). */
export function nativeUnavailableReason(): string | undefined {
  return loadAddon().reason;
}

/**
 * Loads the addon and registers the tfjs backend 'native' (a MathBackendCPU from
 * @tensorflow/tfjs-backend-cpu with all cpu kernels copied — tf.copyRegisteredKernels('cpu',
 * 'native') — then our native kernels registered over them). Idempotent. Throws
 * BackendUnavailableError when it cannot. The caller then runs `await tf.setBackend('native')`.
 */
export function registerNativeBackend(options: { threads: number; bufferPoolBytes?: number; openMpWait?: OpenMpWait }): void {
  const { addon, reason } = loadAddon(options.threads, options.openMpWait);
  if (!addon) throw new BackendUnavailableError(NATIVE_BACKEND, reason ?? 'unknown');
  addon.setThreads(Math.max(1, Math.floor(options.threads)));
  if (registered) return;
  if (!tf.getKernel('Conv2D', 'cpu')) throw new BackendUnavailableError(NATIVE_BACKEND, "tfjs' cpu kernels are not registered");
  // Priority 0: never chosen by tfjs on its own (cpu is 1), only by setBackend('native').
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(addon, options.bufferPoolBytes), 0);
  tf.copyRegisteredKernels('cpu', NATIVE_BACKEND);
  for (const k of NATIVE_KERNELS) {
    const fallback = tf.getKernel(k.name, NATIVE_BACKEND);
    if (!fallback) throw new Error(`the cpu backend has no kernel '${k.name}' to fall back to`);
    tf.unregisterKernel(k.name, NATIVE_BACKEND);
    const kernelFunc = ((args: Args<never>) => k.run(args) ?? fallback.kernelFunc(args as never)) as unknown as tf.KernelFunc;
    tf.registerKernel({ kernelName: k.name, backendName: NATIVE_BACKEND, kernelFunc });
  }
  registerConvRelu(NATIVE_BACKEND);
  registerSparseLoss(NATIVE_BACKEND);
  installFusedAdam(NATIVE_BACKEND);
  registerDirectStep(NATIVE_BACKEND, nativeDirectStep);
  registered = true;
}
