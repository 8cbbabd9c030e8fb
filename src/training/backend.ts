// Chooses and initializes the tfjs backend for this process. Training workers resolve 'auto' once
// at start with a short probe (backend-probe.ts) and pass the winner's name to every trial; the
// API, which only predicts, takes the first backend that comes up in a fixed order.
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from './backend-unavailable.js';
import type { BackendName, BackendSetting } from './backend-names.js';
import { reregisterKernels, SETUPS, type ActiveBackend, type BackendOptions } from './backend-setups.js';

export { BACKEND_NAMES, isBackendName, type BackendName, type BackendSetting } from './backend-names.js';
export { wasmBinaryDir, type ActiveBackend, type BackendOptions } from './backend-setups.js';

export const defaultBackendOptions = (): BackendOptions => ({ threads: os.availableParallelism() });

export interface SkippedBackend { name: BackendName; reason: string }

// Setting a backend up twice (a test switching back and forth) must not re-register it.
const active = new Map<BackendName, ActiveBackend>();

/** Makes `name` the active backend with our kernels; throws BackendUnavailableError if it cannot run here. */
export async function initBackend(name: BackendName, options: BackendOptions = defaultBackendOptions()): Promise<ActiveBackend> {
  const known = active.get(name);
  if (known) {
    if (tf.getBackend() !== name) await tf.setBackend(name); // our names are tfjs' backend names
    reregisterKernels(name); // a test may have put tfjs' own kernels back
    return known;
  }
  const info = await SETUPS[name](options);
  active.set(name, info);
  return info;
}

/** The first of `order` that comes up, with why each one before it did not. */
export async function firstAvailable(
  order: readonly BackendName[], options: BackendOptions = defaultBackendOptions(),
): Promise<{ backend: ActiveBackend; skipped: SkippedBackend[] }> {
  const skipped: SkippedBackend[] = [];
  for (const name of order) {
    try {
      return { backend: await initBackend(name, options), skipped };
    } catch (err) {
      if (!(err instanceof BackendUnavailableError)) throw err;
      skipped.push({ name, reason: err.reason });
    }
  }
  throw new Error(`no training backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/** Prediction serves small batches, where a GPU's fixed cost per call loses to the CPU. */
export const INFERENCE_ORDER: readonly BackendName[] = ['tensorflow', 'native', 'wasm', 'cpu'];

/** Without a probe: the setting itself, or for 'auto' the first of INFERENCE_ORDER that comes up. */
export async function initConfiguredBackend(setting: BackendSetting, options?: BackendOptions): Promise<ActiveBackend> {
  if (setting !== 'auto') return initBackend(setting, options);
  return (await firstAvailable(INFERENCE_ORDER, options)).backend;
}
