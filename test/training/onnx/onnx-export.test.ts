// The ONNX export against tfjs itself: models with random weights (batch norm with real moving
// statistics) covering every layer and option of the template language, saved as the trainer
// saves them, exported, run in ONNX Runtime and compared with tfjs' predict to 1e-4, on real
// Fashion-MNIST test images where the input is 28x28x1 and random inputs for other shapes.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../../../src/datasets/fashion-mnist.js';
import { datasetInfo } from '../../../src/domain/datasets.js';
import { ACTIVATIONS, type ConcreteLayer } from '../../../src/domain/model-template.js';
import { modelToArtifact } from '../../../src/training/artifact.js';
import { buildModel, disposeModel } from '../../../src/training/build-model.js';
import { artifactToOnnx, ONNX_OPSET } from '../../../src/training/onnx/onnx-export.js';
import { decodeModel } from '../../../src/training/onnx/onnx-proto.js';
import { randomValues } from '../helpers.js';

const TOLERANCE = 1e-4;
const { labels: LABELS, pixelMax: PIXEL_MAX } = datasetInfo('fashion-mnist')!;
const fashion = loadFashionMnist(undefined, 'test', 32);
const fashionBatch = Float32Array.from(fashion.images, (v) => v / PIXEL_MAX); // as src/domain/instances.ts normalizes

const built: tf.LayersModel[] = [];
afterAll(() => built.forEach(disposeModel));

/** A model of these layers whose every weight is random; moving variances positive, as trained ones are. */
function randomModel(inputShape: number[], layers: ConcreteLayer[], seed: number): tf.LayersModel {
  const model = buildModel({ inputShape, layers, optimizer: { type: 'adam', learningRate: 0.001, momentum: 0 }, loss: 'sparseCategoricalCrossentropy' }, seed);
  built.push(model);
  model.setWeights(model.weights.map((w, i) => {
    const shape = w.shape as number[]; // a weight's shape is fully known
    const values = randomValues(shape.reduce((a, b) => a * b, 1), seed * 100 + i);
    if (w.originalName.endsWith('moving_variance')) return tf.tensor(values.map((v) => 0.5 + 1.5 * Math.abs(v)), shape);
    if (w.originalName.endsWith('gamma')) return tf.tensor(values.map((v) => 1 + 0.5 * v), shape);
    return tf.tensor(values.map((v) => 0.5 * v), shape);
  }));
  return model;
}

/** max |ONNX Runtime - tfjs| over the batch, and both outputs. */
async function compare(model: tf.LayersModel, inputs: Float32Array, shape: number[]) {
  const bytes = artifactToOnnx(await modelToArtifact(model), { labels: LABELS, pixelMax: PIXEL_MAX });
  const session = await ort.InferenceSession.create(bytes);
  const { probabilities } = await session.run({ input: new ort.Tensor('float32', inputs, shape) });
  const expected = tf.tidy(() => (model.predict(tf.tensor(inputs, shape)) as tf.Tensor).dataSync() as Float32Array);
  const actual = probabilities.data as Float32Array;
  expect(actual).toHaveLength(expected.length);
  expect(probabilities.dims).toEqual((model.outputs[0].shape as (number | null)[]).map((d) => d ?? shape[0]));
  let maxDiff = 0;
  for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
  return { maxDiff, expected, bytes };
}

const conv = (filters: number, kernelSize: number, strides: number, padding: 'valid' | 'same', activation: ConcreteLayer & { type: 'conv2d' } extends { activation: infer A } ? A : never): ConcreteLayer =>
  ({ type: 'conv2d', filters, kernelSize, strides, padding, activation });
const pool = (type: 'maxPooling2d' | 'averagePooling2d', poolSize: number, strides: number, padding: 'valid' | 'same'): ConcreteLayer =>
  ({ type, poolSize, strides, padding });
const batchNorm: ConcreteLayer = { type: 'batchNormalization', momentum: 0.99, epsilon: 0.001 };

describe('ONNX export', () => {
  it('matches tfjs on Fashion-MNIST test images: convs valid/same at strides 1 and 2, both poolings valid/same, batch norm, dropout, dense', async () => {
    const model = randomModel([28, 28, 1], [
      conv(6, 3, 1, 'valid', 'relu'), batchNorm, pool('maxPooling2d', 2, 2, 'valid'),
      conv(8, 3, 2, 'same', 'elu'), pool('averagePooling2d', 3, 2, 'same'), // 7x7 -> 4x4: the padded edge counts only real pixels
      conv(8, 2, 1, 'same', 'tanh'), pool('maxPooling2d', 3, 1, 'same'), pool('averagePooling2d', 2, 1, 'valid'),
      { type: 'dropout', rate: 0.3 }, { type: 'flatten' }, { type: 'dense', units: 24, activation: 'relu' }, batchNorm,
      { type: 'dropout', rate: 0.5 }, { type: 'dense', units: 10, activation: 'softmax' },
    ], 3);
    const { maxDiff, expected } = await compare(model, fashionBatch, [fashion.count, 28, 28, 1]);
    expect(maxDiff).toBeLessThan(TOLERANCE);
    // A comparison only means something if the images get different answers.
    const top = (k: number) => Array.from(expected.subarray(k * 10, k * 10 + 10)).reduce((b, p, i, a) => (p > a[b] ? i : b), 0);
    expect(new Set(Array.from({ length: fashion.count }, (_, k) => top(k))).size).toBeGreaterThan(1);
  });

  it.each(ACTIVATIONS)('matches tfjs with %s in a conv and a dense layer, on random 3-channel inputs', async (activation) => {
    const model = randomModel([9, 11, 3], [
      conv(5, 3, 2, 'same', activation), batchNorm, pool('averagePooling2d', 2, 2, 'valid'),
      { type: 'flatten' }, { type: 'dense', units: 6, activation }, { type: 'dense', units: 4, activation: 'softmax' },
    ], 11 + ACTIVATIONS.indexOf(activation));
    const inputs = randomValues(5 * 9 * 11 * 3, 99).map((v) => 2 * v);
    expect((await compare(model, inputs, [5, 9, 11, 3])).maxDiff).toBeLessThan(TOLERANCE);
  });

  it('matches tfjs with a dense layer and a softmax on an image (before any flatten), and with no conv at all', async () => {
    const onImage = randomModel([6, 5, 2], [
      conv(3, 3, 1, 'valid', 'linear'), { type: 'dense', units: 4, activation: 'sigmoid' }, batchNorm,
      pool('maxPooling2d', 2, 2, 'same'), { type: 'dense', units: 3, activation: 'softmax' },
    ], 21);
    expect((await compare(onImage, randomValues(3 * 6 * 5 * 2, 7), [3, 6, 5, 2])).maxDiff).toBeLessThan(TOLERANCE);
    const dense = randomModel([28, 28, 1], [{ type: 'flatten' }, batchNorm, { type: 'dense', units: 10, activation: 'softmax' }], 22);
    expect((await compare(dense, fashionBatch, [fashion.count, 28, 28, 1])).maxDiff).toBeLessThan(TOLERANCE);
  });

  it('matches tfjs on inputs that are not images: a feature vector (a CSV dataset) and a rank-2 sequence', async () => {
    const tabular = randomModel([12], [batchNorm, { type: 'dense', units: 8, activation: 'softplus' }, { type: 'dropout', rate: 0.1 }, { type: 'dense', units: 3, activation: 'softmax' }], 61);
    expect((await compare(tabular, randomValues(4 * 12, 8), [4, 12])).maxDiff).toBeLessThan(TOLERANCE);
    const sequence = randomModel([7, 5], [batchNorm, { type: 'dense', units: 4, activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 3, activation: 'softmax' }], 62);
    expect((await compare(sequence, randomValues(4 * 7 * 5, 9), [4, 7, 5])).maxDiff).toBeLessThan(TOLERANCE);
  });

  it('keeps the batch dynamic: one image gives the same answer alone as in a batch', async () => {
    const model = randomModel([28, 28, 1], [conv(4, 3, 2, 'same', 'relu'), { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }], 31);
    const batch = await compare(model, fashionBatch, [fashion.count, 28, 28, 1]);
    const one = await compare(model, fashionBatch.slice(28 * 28 * 5, 28 * 28 * 6), [1, 28, 28, 1]);
    expect(one.maxDiff).toBeLessThan(TOLERANCE);
    expect(Array.from(one.expected)).toEqual(Array.from(batch.expected.subarray(50, 60)));
  });

  it('names its input and output, declares opset 17 and NHWC shapes, and carries the labels and pixelMax', async () => {
    const model = randomModel([28, 28, 1], [conv(4, 3, 1, 'valid', 'relu'), { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }], 41);
    const decoded = decodeModel(artifactToOnnx(await modelToArtifact(model), { labels: LABELS, pixelMax: PIXEL_MAX, modelId: 'm1' }));
    expect(decoded.opset_import).toEqual([{ domain: '', version: ONNX_OPSET }]);
    const dims = (v: (typeof decoded.graph.input)[number]) => v.type.tensor_type.shape.dim;
    expect(decoded.graph.input.map((v) => [v.name, dims(v)])).toEqual([['input', [{ dim_param: 'N' }, { dim_value: 28 }, { dim_value: 28 }, { dim_value: 1 }]]]);
    expect(decoded.graph.output.map((v) => [v.name, dims(v)])).toEqual([['probabilities', [{ dim_param: 'N' }, { dim_value: 10 }]]]);
    const meta = Object.fromEntries(decoded.metadata_props.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta.labels)).toEqual(LABELS);
    expect(meta).toMatchObject({ pixelMax: String(PIXEL_MAX), modelId: 'm1' });
    // No Dropout node: it is the identity at inference.
    expect(decoded.graph.node.map((n) => n.op_type)).toEqual(['Transpose', 'Conv', 'Relu', 'Transpose', 'Flatten', 'MatMul', 'Add', 'Softmax']);
  });

  it('refuses a layer it cannot export instead of writing a wrong graph', async () => {
    const model = randomModel([4, 4, 1], [{ type: 'flatten' }, { type: 'dense', units: 2, activation: 'softmax' }], 51);
    const artifact = await modelToArtifact(model);
    const topology = structuredClone(artifact.modelTopology) as { config: { layers: { class_name: string }[] } };
    topology.config.layers[1].class_name = 'LSTM';
    expect(() => artifactToOnnx({ ...artifact, modelTopology: topology }, { labels: ['a', 'b'], pixelMax: 1 })).toThrow(/LSTM has no ONNX export/);
  });
});
