// The 'cuda' training backend: tensors in GPU memory, kernels on CUDA, cuBLAS and cuDNN through
// the addon in native-cuda/. Registers only its own kernels (no copy of the cpu backend's): an
// op it lacks fails naming the kernel instead of silently running on the host.
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../backend-unavailable.js';
import { installCudaAdam } from './adam.js';
import { loadCudaAddon, type CudaDeviceInfo } from './addon.js';
import { CONV_KERNELS } from './conv.js';
import { CudaBackend } from './cuda-backend.js';
import { ELEMENTWISE_KERNELS } from './elementwise.js';
import type { Args, CudaKernel } from './kernel.js';
import { MATMUL_KERNELS } from './matmul.js';
import { POOL_KERNELS } from './pool.js';
import { REDUCE_KERNELS } from './reduce.js';
import { SHAPE_KERNELS } from './shape.js';

export const CUDA_BACKEND = 'cuda';

/** Every kernel the backend has, by tfjs kernel name. */
export const CUDA_KERNELS: readonly CudaKernel[] = [...ELEMENTWISE_KERNELS, ...REDUCE_KERNELS, ...SHAPE_KERNELS, ...MATMUL_KERNELS, ...CONV_KERNELS, ...POOL_KERNELS];

export interface CudaOptions {
  /** CUDA device index (default 0; CUDA_VISIBLE_DEVICES picks the card). */
  device?: number;
  /** Bytes this process may hold on the card, in use plus cached (default HYPERTUNE_CUDA_MEMORY_LIMIT, else the whole card). */
  memoryLimitBytes?: number;
  /** TF32 tensor cores for matmul and convolution (default true; HYPERTUNE_CUDA_TF32=0 for strict fp32). */
  tf32?: boolean;
}

let registered: CudaDeviceInfo | undefined;

/** Why the cuda backend cannot run here (not built, a library missing, no GPU), or undefined when it can. */
export function cudaUnavailableReason(): string | undefined {
  return loadCudaAddon().reason;
}

export function defaultCudaOptions(env = process.env): Required<CudaOptions> {
  return {
    device: 0,
    memoryLimitBytes: Number(env.HYPERTUNE_CUDA_MEMORY_LIMIT ?? 0) || 0,
    tf32: env.HYPERTUNE_CUDA_TF32 !== '0',
  };
}

/**
 * Loads the addon, creates the CUDA context and registers the tfjs backend 'cuda' with its kernels
 * (idempotent; later calls only change TF32). Throws BackendUnavailableError when it cannot. The
 * caller then runs `await tf.setBackend('cuda')`. Returns the device's description.
 */
export function registerCudaBackend(options: CudaOptions = {}): CudaDeviceInfo {
  const o = { ...defaultCudaOptions(), ...options };
  const { addon, reason } = loadCudaAddon();
  if (!addon) throw new BackendUnavailableError(CUDA_BACKEND, reason ?? 'unknown');
  if (registered) {
    addon.setTf32(o.tf32);
    return registered;
  }
  let device: CudaDeviceInfo;
  try {
    device = addon.init({ device: o.device, memoryLimit: o.memoryLimitBytes, tf32: o.tf32 });
  } catch (err) {
    throw new BackendUnavailableError(CUDA_BACKEND, (err as Error).message);
  }
  // Priority 0: never chosen by tfjs on its own, only by setBackend('cuda').
  tf.registerBackend(CUDA_BACKEND, () => new CudaBackend(addon, device), 0);
  for (const k of CUDA_KERNELS) {
    tf.registerKernel({ kernelName: k.name, backendName: CUDA_BACKEND, kernelFunc: ((args: Args<never>) => k.run(args)) as unknown as tf.KernelFunc });
  }
  installCudaAdam(CUDA_BACKEND);
  registered = device;
  return device;
}

/** One line for logs and /health: the card, its memory, the libraries. */
export function describeDevice(d: CudaDeviceInfo, tf32: boolean): string {
  const version = (v: number) => `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 10)}`;
  return `${d.name} (sm_${d.computeCapability.replace('.', '')}, ${Math.round(d.totalMemory / 2 ** 30)} GiB) CUDA ${version(d.runtime)}, cuBLAS ${d.cublas}, cuDNN ${d.cudnn}${tf32 ? ', TF32' : ', strict fp32'}`;
}
