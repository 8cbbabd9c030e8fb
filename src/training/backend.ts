// Chooses and initializes the tfjs backend for this process and registers our training kernels.
// wasm (XNNPACK, SIMD) is ~20x faster than tfjs' pure-JS cpu backend for our conv models; its
// binaries are read from node_modules so nothing is fetched over the network.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerTrainingKernels } from './kernels/index.js';

export type BackendName = 'wasm' | 'cpu';

let wasmInit: Promise<boolean> | undefined;

/** Directory of the .wasm binaries, with a trailing separator (setWasmPaths wants a prefix). */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

/** Initializes wasm once per process; false if it cannot run here. */
function wasmAvailable(): Promise<boolean> {
  wasmInit ??= (async () => {
    try {
      setWasmPaths(wasmBinaryDir());
      return await tf.setBackend('wasm');
    } catch {
      return false;
    }
  })();
  return wasmInit;
}

/**
 * Makes `requested` the active backend ('auto': wasm if it initializes, else cpu) with our
 * kernels registered, and returns its name. Safe to call repeatedly; switching is allowed.
 */
export async function initBackend(requested: BackendName | 'auto'): Promise<BackendName> {
  let name: BackendName = requested === 'auto' ? 'cpu' : requested;
  if (requested !== 'cpu') {
    const ok = await wasmAvailable();
    if (ok) name = 'wasm';
    else if (requested === 'wasm') throw new Error('the tfjs wasm backend failed to initialize');
  }
  if (!(await tf.setBackend(name))) throw new Error(`the tfjs ${name} backend failed to initialize`);
  await tf.ready();
  registerTrainingKernels(name);
  return name;
}
