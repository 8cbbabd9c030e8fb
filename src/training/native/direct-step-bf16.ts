// Which activations native's direct step (direct-step.ts) keeps only as bf16 in mixed precision: a
// ReLU conv layer's output that only bf16 kernels read is written as bf16 (conv-relu.ts'
// convBiasReluToBf16: oneDNN rounds it as toBf16 would round the float32 output, the same values
// without the float32 array and the conversion pass). The weights and logs stay those of tfjs'
// path (direct-step.test.ts).
import type * as tf from '@tensorflow/tfjs';
import type { NativeBackend } from './native-backend.js';

/** The layer kinds as direct-step.ts plans them (only what the choice reads). */
type PlannedLayer =
  | { kind: 'conv'; relu: boolean; weights: () => { kernel: tf.Tensor } }
  | { kind: 'dense'; weights: () => { kernel: tf.Tensor } }
  | { kind: 'maxPool' }
  | { kind: 'flatten' };

/**
 * For each layer, whether its output may exist only as bf16 in a step over `batch` rows: a ReLU
 * conv run in bf16 whose every reader runs in bf16 too: the next conv (its forward and filter
 * gradient), or after a Flatten the next dense layer's or the head's forward and kernel gradient.
 * Its own ReLU gradient reads the bf16 output's signs (the float32 output's). Anything else (max
 * pooling, a float32 reader under this CPU's policy) keeps float32.
 */
export function bf16Outputs(backend: NativeBackend, layers: PlannedLayer[], headKernel: () => tf.Tensor, inChannels: number, batch: number): boolean[] {
  if (backend.precision !== 'bf16') return layers.map(() => false);
  let channels = inChannels;
  return layers.map((layer, i) => {
    if (layer.kind !== 'conv') return false;
    const ci = channels;
    channels = layer.weights().kernel.shape[3]!;
    if (!layer.relu || !backend.convInBf16(ci)) return false;
    const next = layers[i + 1];
    if (next?.kind === 'conv') return backend.convInBf16(channels);
    if (next?.kind !== 'flatten') return false;
    const reader = layers[i + 2];
    if (reader && reader.kind !== 'dense') return false;
    const [features, units] = (reader ? reader.weights().kernel : headKernel()).shape as [number, number];
    return backend.matMulInBf16(batch, units, features) && backend.matMulInBf16(features, units, batch);
  });
}
