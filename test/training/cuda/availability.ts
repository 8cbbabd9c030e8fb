// Whether the cuda tests run: where the addon is built and a GPU is present. Elsewhere their
// cases are not registered at all (CI must not read skipped tests), unless
// HYPERTUNE_REQUIRE_BACKENDS names 'cuda' (the device run), where a missing GPU fails instead.
import * as tf from '@tensorflow/tfjs';
import { CUDA_BACKEND, cudaUnavailableReason, registerCudaBackend } from '../../../src/training/cuda/index.js';
import { requiredBy, requireOrSkip } from '../../helpers/requirements.js';

export const cudaReason = cudaUnavailableReason();
/** True where the GPU tests register (throws at collection where cuda is required but unavailable). */
export const cudaRuns = requireOrSkip('the cuda backend', cudaReason, requiredBy('BACKENDS', 'cuda'));

/** Registers the backend and makes it active; strict fp32 unless `tf32`. */
export async function useCuda(tf32 = false): Promise<void> {
  registerCudaBackend({ tf32 });
  await tf.setBackend(CUDA_BACKEND);
}
