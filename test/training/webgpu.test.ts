// The WebGPU backend (Dawn) with our conv gradient rewrites, against the cpu backend. Without a
// GPU it runs on Mesa's llvmpipe through Dawn's OpenGL ES backend (slow: small shapes only).
// Needs Debian's libegl1, libegl-mesa0, libgles2 and libgl1-mesa-dri (see the README); skipped
// with the reason when no adapter exists, unless HYPERTUNE_REQUIRE_BACKENDS names webgpu.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConcreteLayer, ConcreteModel } from '../../src/domain/model-template.js';
import { BackendUnavailableError } from '../../src/training/backend-unavailable.js';
import { buildModel, disposeModel } from '../../src/training/build-model.js';
import { registerTrainingKernels, unregisterTrainingKernels } from '../../src/training/kernels/index.js';
import { modelToArtifact } from '../../src/training/artifact.js';
import { TfjsInference } from '../../src/training/inference.js';
import { trainModel } from '../../src/training/train.js';
import type { DatasetImages } from '../../src/domain/dataset-source.js';
import { requiredBy, requireOrSkip } from '../helpers/requirements.js';
import { registerWebgpuBackend, webgpuAdapterInfo, WEBGPU_BACKEND } from '../../src/training/webgpu/index.js';
import { host, randomValues, relativeError, stepLosses, type HostTensor } from './helpers.js';

// Mesa's EGL needs a platform without a display server; Dawn reads it when it creates the GPU.
process.env.EGL_PLATFORM ??= 'surfaceless';
const DAWN_FLAGS = process.env.HYPERTUNE_DAWN_FLAGS ? undefined : ['backend=opengles'];

async function probe(): Promise<string | null> {
  try {
    await registerWebgpuBackend({ dawn: DAWN_FLAGS });
    return null;
  } catch (err) {
    if (err instanceof BackendUnavailableError) return err.reason;
    throw err;
  }
}
const runs = requireOrSkip('the webgpu backend', (await probe()) ?? undefined, requiredBy('BACKENDS', 'webgpu'));

/** Runs a kernel config on the active backend; reads asynchronously (webgpu cannot read synchronously). */
async function runKernel(kernel: tf.KernelConfig, inputs: Record<string, HostTensor>, attrs: Record<string, unknown>): Promise<HostTensor> {
  const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
  const info = kernel.kernelFunc({ inputs: tensors, backend: tf.backend(), attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
  const out = tf.engine().makeTensorFromTensorInfo(info);
  const result = { values: (await out.data()) as Float32Array, shape: out.shape };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

const kernel = (name: string, backend: string) => {
  const k = tf.getKernel(name, backend);
  if (!k) throw new Error(`${name} not registered for ${backend}`);
  return k;
};

type Pad = 'same' | 'valid';
interface ConvCase { n: number; h: number; w: number; ci: number; co: number; k: number; s: number; pad: Pad }
const CASES: ConvCase[] = [
  { n: 2, h: 7, w: 7, ci: 3, co: 4, k: 3, s: 1, pad: 'same' },
  { n: 2, h: 8, w: 9, ci: 3, co: 5, k: 3, s: 2, pad: 'same' }, // input gradient: webgpu's own kernel
  { n: 2, h: 10, w: 10, ci: 1, co: 6, k: 5, s: 1, pad: 'valid' },
  { n: 3, h: 11, w: 10, ci: 2, co: 3, k: 5, s: 2, pad: 'valid' },
];
const outSize = (n: number, k: number, s: number, pad: Pad) => (pad === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);

const conv = (o: Partial<Extract<ConcreteLayer, { type: 'conv2d' }>> = {}): ConcreteLayer =>
  ({ type: 'conv2d', filters: 4, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu', ...o });
const TINY: ConcreteModel = {
  inputShape: [10, 10, 1], loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01, momentum: 0 },
  layers: [conv(), conv({ filters: 3, strides: 2, padding: 'same' }), { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }],
};
const BATCH = 8;
const xValues = randomValues(BATCH * 100, 7).map((v) => (v + 1) / 2);
const yValues = Float32Array.from({ length: BATCH }, (_, i) => i % 10);

async function adamLosses(backend: string): Promise<number[]> {
  await tf.setBackend(backend);
  const model = buildModel(TINY, 42);
  const x = tf.tensor4d(xValues, [BATCH, 10, 10, 1]);
  const y = tf.tensor2d(yValues, [BATCH, 1]);
  const losses = await stepLosses(model, x, y, 3);
  tf.dispose([x, y]);
  disposeModel(model);
  return losses;
}

describe.skipIf(!runs)('webgpu backend', () => {
  const references = CASES.map((c, i) => {
    const x = host([c.n, c.h, c.w, c.ci], 10 * i + 1);
    const filter = host([c.k, c.k, c.ci, c.co], 10 * i + 2);
    const dy = host([c.n, outSize(c.h, c.k, c.s, c.pad), outSize(c.w, c.k, c.s, c.pad), c.co], 10 * i + 3);
    const attrs = { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
    return { c, x, filter, dy, attrs, dw: null as HostTensor | null, dx: null as HostTensor | null };
  });
  let cpuLosses: number[] = [];

  beforeAll(async () => {
    // References from tfjs' own cpu kernels (ours are not registered on cpu in this process).
    await tf.setBackend('cpu');
    unregisterTrainingKernels('cpu');
    for (const r of references) {
      r.dw = await runKernel(kernel('Conv2DBackpropFilter', 'cpu'), { x: r.x, dy: r.dy }, { ...r.attrs, filterShape: r.filter.shape });
      r.dx = await runKernel(kernel('Conv2DBackpropInput', 'cpu'), { dy: r.dy, filter: r.filter }, { ...r.attrs, inputShape: r.x.shape });
    }
    cpuLosses = await adamLosses('cpu');
    expect(await tf.setBackend(WEBGPU_BACKEND)).toBe(true);
    registerTrainingKernels(WEBGPU_BACKEND);
  }, 60_000);

  afterAll(() => unregisterTrainingKernels(WEBGPU_BACKEND));

  it('describes its adapter', () => {
    expect(webgpuAdapterInfo()).toMatch(/^WebGPU \(Dawn\): /);
  });

  it.each(references.map((r) => [JSON.stringify(r.c), r] as const))('conv gradients match cpu: %s', async (_, r) => {
    await tf.setBackend(WEBGPU_BACKEND);
    const dw = await runKernel(kernel('Conv2DBackpropFilter', WEBGPU_BACKEND), { x: r.x, dy: r.dy }, { ...r.attrs, filterShape: r.filter.shape });
    const dx = await runKernel(kernel('Conv2DBackpropInput', WEBGPU_BACKEND), { dy: r.dy, filter: r.filter }, { ...r.attrs, inputShape: r.x.shape });
    expect(relativeError(dw, r.dw!)).toBeLessThan(1e-4);
    expect(relativeError(dx, r.dx!)).toBeLessThan(1e-4);
  });

  it('3 Adam steps of a tiny conv model give the losses of cpu, without leaking tensors', async () => {
    await tf.setBackend(WEBGPU_BACKEND);
    const before = tf.memory().numTensors;
    const losses = await adamLosses(WEBGPU_BACKEND);
    expect(tf.memory().numTensors).toBe(before);
    losses.forEach((l, i) => expect(Math.abs(l - cpuLosses[i]) / Math.abs(cpuLosses[i])).toBeLessThan(1e-4));
    expect(losses[2]).toBeLessThan(losses[0]);
  }, 60_000);

  it('trainModel (fit, validation, finite-weights check), saving and prediction run without synchronous reads', async () => {
    await tf.setBackend(WEBGPU_BACKEND);
    const count = 24;
    const set: DatasetImages = {
      count, height: 10, width: 10, channels: 1,
      images: Uint8Array.from(randomValues(count * 100, 11), (v) => Math.floor((v + 1) * 127)),
      labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
    };
    const before = tf.memory().numTensors;
    const model = buildModel(TINY, 1);
    const result = await trainModel({ model, train: set, trainCount: 16, valCount: 8, epochs: 2, batchSize: 8 });
    expect(result.epochs).toHaveLength(2);
    expect(Number.isFinite(result.epochs[1].valLoss)).toBe(true);

    // The trained model saved, loaded again and asked for predictions, all on webgpu.
    const artifact = await modelToArtifact(model);
    const loaded = await new TfjsInference().load(artifact);
    const probabilities = await loaded.predict(Float32Array.from(set.images.subarray(0, 200), (v) => v / 255), 2, [10, 10, 1]);
    expect(probabilities).toHaveLength(20);
    expect(probabilities.slice(0, 10).reduce((p, v) => p + v, 0)).toBeCloseTo(1, 4);
    loaded.dispose();
    disposeModel(model); // with its Adam moments
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
