// The WebGPU training backend: tfjs' webgpu backend on Dawn (the npm package `webgpu`), for
// NVIDIA/AMD/Intel GPUs through Vulkan, or Mesa's llvmpipe through OpenGL ES for tests.
// Only asynchronous reads work on it (dataSync() throws), so the training path reads with data().
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../backend-unavailable.js';
import { describeAdapter, dawnFlags, findAdapter, loadDawn, vulkanDriverMissing } from './dawn.js';
import { installWebgpuGlobals } from './globals.js';

export const WEBGPU_BACKEND = 'webgpu';

const require = createRequire(import.meta.url);
let registration: Promise<void> | undefined;
let adapterInfo: string | undefined;

async function register(flags: string[]): Promise<void> {
  const noDriver = vulkanDriverMissing(flags);
  if (noDriver) throw new BackendUnavailableError(WEBGPU_BACKEND, noDriver);
  const dawn = await loadDawn();
  if (typeof dawn === 'string') throw new BackendUnavailableError(WEBGPU_BACKEND, dawn);
  let gpu;
  try {
    gpu = dawn.create(flags);
  } catch (err) {
    throw new BackendUnavailableError(WEBGPU_BACKEND, `Dawn rejected flags [${flags.join(', ')}]: ${(err as Error).message}`);
  }
  const found = await findAdapter(gpu);
  if (!found) {
    throw new BackendUnavailableError(WEBGPU_BACKEND,
      `Dawn found no GPU adapter (flags [${flags.join(', ')}]; without a GPU, try HYPERTUNE_DAWN_FLAGS=backend=opengles with EGL_PLATFORM=surfaceless and Mesa's EGL/GLES drivers)`);
  }
  installWebgpuGlobals(gpu, found.extra, dawn.globals);
  try {
    require('@tensorflow/tfjs-backend-webgpu'); // registers 'webgpu' with tfjs if navigator.gpu exists
  } catch (err) {
    throw new BackendUnavailableError(WEBGPU_BACKEND, `@tensorflow/tfjs-backend-webgpu failed to load: ${(err as Error).message}`);
  }
  if (!tf.findBackendFactory(WEBGPU_BACKEND)) {
    throw new BackendUnavailableError(WEBGPU_BACKEND, '@tensorflow/tfjs-backend-webgpu was loaded before navigator.gpu existed and did not register');
  }
  adapterInfo = describeAdapter(found.adapter, 'featureLevel' in found.extra);
}

/**
 * Creates the Dawn GPU (options.dawn: Dawn create() flags, e.g. ['backend=opengles'] for Mesa
 * llvmpipe; default: HYPERTUNE_DAWN_FLAGS, comma-separated), installs navigator.gpu and the
 * WebGPU globals, requires @tensorflow/tfjs-backend-webgpu and checks an adapter exists.
 * Idempotent once it succeeded (a failed attempt may be retried). Throws BackendUnavailableError
 * with the reason.
 * The caller then does `await tf.setBackend('webgpu')`.
 */
export function registerWebgpuBackend(options: { dawn?: string[] } = {}): Promise<void> {
  registration ??= register(dawnFlags(options.dawn)).catch((err: unknown) => {
    registration = undefined;
    throw err;
  });
  return registration;
}

/** The adapter found by registerWebgpuBackend (vendor, architecture, description), for logs and /health. */
export function webgpuAdapterInfo(): string | undefined {
  return adapterInfo;
}
