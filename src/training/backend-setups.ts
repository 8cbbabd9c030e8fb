// How each training backend is brought up in this process. Each setup registers its tfjs backend,
// makes it the active one and says what it runs on; when the host cannot run it, it throws
// BackendUnavailableError with the reason (so 'auto' can move on and an explicit request can say why).
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendUnavailableError } from './backend-unavailable.js';
import { registerTrainingKernels } from './kernels/index.js';

import type { BackendName } from './backend-names.js';
import type { OpenMpWait } from './native/addon.js';

export interface BackendOptions {
  /** CPU threads for native (OpenMP) and wasm (pthreads); defaults to the cores available. */
  threads: number;
  /** native: bytes of freed tensor buffers kept for reuse (default 512 MiB, what a training step needs). */
  bufferPoolBytes?: number;
  /** native: 'spin' in a process that only trains (a trial's), else 'passive' (native/addon.ts: OpenMpWait). */
  openMpWait?: OpenMpWait;
}

export interface ActiveBackend {
  name: BackendName;
  /** Threads it computes with (null: a GPU backend, or not known). */
  threads: number | null;
  /** What it runs on, for logs and /health: the GPU adapter, the library. */
  detail: string;
}

const require = createRequire(import.meta.url);

async function activate(tfName: string, backend: BackendName): Promise<void> {
  let ok = false;
  try {
    ok = await tf.setBackend(tfName);
  } catch (err) {
    throw new BackendUnavailableError(backend, (err as Error).message);
  }
  if (!ok) throw new BackendUnavailableError(backend, `tfjs could not initialize its '${tfName}' backend`);
  await tf.ready();
}

/** Directory of the .wasm binaries, with a trailing separator (setWasmPaths wants a prefix). */
export function wasmBinaryDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

let wasmThreadsNote: string | undefined | null = null; // null: not yet asked (threads are fixed at init)

async function setupWasm(o: BackendOptions): Promise<ActiveBackend> {
  const threads = await import('./wasm-threads.js');
  if (wasmThreadsNote === null) {
    wasmThreadsNote = o.threads > 1 ? threads.enableWasmThreads(o.threads) : 'one thread requested';
    setWasmPaths(wasmBinaryDir());
  }
  await activate('wasm', 'wasm');
  registerTrainingKernels('wasm');
  const count = threads.wasmThreadCount();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return { name: 'wasm', threads: count, detail: `XNNPACK${simd ? ' SIMD' : ''}${wasmThreadsNote ? ` (single-threaded: ${wasmThreadsNote})` : ''}` };
}

async function setupCpu(): Promise<ActiveBackend> {
  await activate('cpu', 'cpu');
  registerTrainingKernels('cpu');
  return { name: 'cpu', threads: 1, detail: 'tfjs JavaScript kernels' };
}

async function setupNative(o: BackendOptions): Promise<ActiveBackend> {
  const native = await import('./native/index.js');
  native.registerNativeBackend({ threads: o.threads, bufferPoolBytes: o.bufferPoolBytes, openMpWait: o.openMpWait });
  await activate(native.NATIVE_BACKEND, 'native');
  return { name: 'native', threads: o.threads, detail: 'oneDNN' };
}

async function setupCuda(): Promise<ActiveBackend> {
  const cuda = await import('./cuda/index.js');
  const options = cuda.defaultCudaOptions();
  const device = cuda.registerCudaBackend(options);
  await activate(cuda.CUDA_BACKEND, 'cuda');
  return { name: 'cuda', threads: null, detail: cuda.describeDevice(device, options.tf32) };
}

async function setupWebgpu(): Promise<ActiveBackend> {
  const webgpu = await import('./webgpu/index.js');
  await webgpu.registerWebgpuBackend();
  await activate(webgpu.WEBGPU_BACKEND, 'webgpu');
  registerTrainingKernels('webgpu');
  return { name: 'webgpu', threads: null, detail: webgpu.webgpuAdapterInfo() ?? 'WebGPU (Dawn)' };
}

/**
 * tfjs-node-gpu (CUDA) or tfjs-node (TensorFlow's C library): never a dependency of ours, because
 * their install downloads libtensorflow; a CUDA host installs one (see the README) and we load it
 * here. It registers the 'tensorflow' backend on the same tfjs engine when versions match.
 */
async function setupTensorflow(): Promise<ActiveBackend> {
  const tried: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require(pkg);
    } catch (err) {
      const code = (err as { code?: string }).code;
      tried.push(code === 'MODULE_NOT_FOUND' ? `${pkg} is not installed` : `${pkg} failed to load: ${(err as Error).message}`);
      continue;
    }
    if (!tf.findBackend('tensorflow')) {
      throw new BackendUnavailableError('tensorflow', `${pkg} loaded but registered no 'tensorflow' backend on this tfjs (install the version matching @tensorflow/tfjs ${tf.version.tfjs})`);
    }
    await activate('tensorflow', 'tensorflow');
    return { name: 'tensorflow', threads: null, detail: pkg };
  }
  throw new BackendUnavailableError('tensorflow', `${tried.join('; ')} (see the README's "GPU workers" section)`);
}

/** Our kernel rewrites for the backends that use them (idempotent). */
export function reregisterKernels(name: BackendName): void {
  if (name === 'cpu' || name === 'wasm' || name === 'webgpu') registerTrainingKernels(name);
}

export const SETUPS: Record<BackendName, (o: BackendOptions) => Promise<ActiveBackend>> = {
  cuda: setupCuda,
  tensorflow: setupTensorflow,
  native: setupNative,
  webgpu: setupWebgpu,
  wasm: setupWasm,
  cpu: setupCpu,
};
