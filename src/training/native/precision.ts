// Switches the native backend's conv and matmul kernels between float32 and bf16 mixed precision
// (the engine does, around one trial's training; inference never does: a bf16-trained model has
// float32 weights and is served in float32).
import * as tf from '@tensorflow/tfjs';
import type { Precision } from '../../domain/precision.js';
import type { NativeBackend } from './native-backend.js';

/** Sets the precision of the registered native backend (NATIVE_BACKEND must be initialized). */
export function setNativePrecision(backendName: string, precision: Precision): void {
  const backend = tf.findBackend(backendName) as NativeBackend | null;
  if (!backend) throw new Error(`the '${backendName}' backend is not initialized`);
  backend.precision = precision;
}
