// What native's direct step (direct-step.ts) does differently in mixed precision: a ReLU conv
// layer whose output only bf16 kernels read writes that output as bf16 (oneDNN rounds it, as
// toBf16 would round the float32 output: the same values, without the float32 array and the
// conversion pass), and a bf16 conv layer's ReLU gradient is written straight as the bf16 its two
// gradient convolutions read, its bias's gradient summed in the same pass (reluGradMixed: the bits
// of sumLeading's). The weights and logs stay those of tfjs' path (direct-step.test.ts).
import type * as tf from '@tensorflow/tfjs';
import { convGeometry } from './conv.js';
import { sizeOf, type Info } from './kernel.js';
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

/** A ReLU conv (bias) whose output exists only as bf16 (bf16Outputs said so). */
export function convBiasReluToBf16(backend: NativeBackend, x: Info, filter: Info, bias: Info, attrs: { strides: [number, number]; pad: 'valid' | 'same' }): Info {
  const { geometry, outShape } = convGeometry(x.shape, filter.shape, { ...attrs, dilations: 1, dataFormat: 'NHWC' } as never);
  const y = backend.allocBf16(sizeOf(outShape));
  backend.addon.conv2dForwardBf16(backend.bf16(x), backend.values(filter), backend.values(bias), y, geometry, true, backend.serial(filter));
  return backend.bf16Output(outShape, y);
}

/**
 * A bf16 ReLU conv layer's output gradient dz = dy * step(y) as a bf16-only tensor, and its bias's
 * gradient: what its filter gradient and input gradient (both bf16) read. `yBf16`: y exists only as bf16.
 */
export function reluGradToBf16(backend: NativeBackend, dy: Info, y: Info, yBf16: boolean): [dz: Info, db: Info] {
  const channels = dy.shape[dy.shape.length - 1];
  const dz = backend.allocBf16(sizeOf(dy.shape));
  const db = backend.alloc(channels);
  backend.addon.reluGradMixed(backend.values(dy), yBf16 ? backend.bf16(y) : backend.values(y), dz, db, channels);
  return [backend.bf16Output([...dy.shape], dz), backend.output([channels], db)];
}
