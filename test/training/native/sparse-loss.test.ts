// The fused sparse cross-entropy, its gradient and the sparse accuracy on native against
// tfjs-layers' own loss and metric functions run on the cpu backend: the same values bit for bit
// (zeros compared without their sign), over rows that exercise every branch: probabilities at and
// beyond both clip bounds, rows that do not sum to 1, NaN, ties, and labels that are fractional,
// negative, out of range or NaN.
import * as tf from '@tensorflow/tfjs';
import { afterEach, expect, it, vi } from 'vitest';
import { initBackend } from '../../../src/training/backend.js';
import { SPARSE_ACCURACY, SPARSE_CROSS_ENTROPY, fuseSparseLoss } from '../../../src/training/sparse-loss.js';
import { randomValues } from '../helpers.js';
import { describeNative, useNative } from './availability.js';

type Fn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
interface Compiled { lossFunctions: Fn[]; metricsTensors: [Fn, number][] }

const CLASSES = 4;
const LO = Math.fround(1e-7);
const HI = Math.fround(1 - 1e-7);
// [probabilities, label] per row.
const ROWS: [number[], number][] = [
  [[0.1, 0.2, 0.3, 0.4], 3],
  [[0.1, 0.2, 0.3, 0.4], 2.7], // floor: class 2
  [[0.25, 0.25, 0.25, 0.25], 0], // a tie: argMax takes the first
  [[0, 1, 0, 0], 1], // both clip bounds, label at the upper one
  [[0, 1, 0, 0], 0], // label at the lower one
  [[LO, HI, LO / 2, 1 - 1e-8], 1], // at, beyond and between the float32 bounds
  [[2, 0.5, 3, 1e-9], 2], // does not sum to 1
  [[1e-9, 1e-9, 1e-9, 1e-9], 1], // all clipped: q = 1/4
  [[0.5, 0.5, 1e-12, 1e-12], 1],
  [[0.3, NaN, 0.3, 0.4], 0], // NaN elsewhere in the row
  [[NaN, 0.1, 0.2, 0.7], 3], // NaN first: argMax keeps index 0
  [[0.1, 0.2, 0.3, 0.4], -1], // no class: loss 0, gradient 0
  [[0.1, 0.2, 0.3, 0.4], -0.5], // floor: -1, no class
  [[0.1, 0.2, 0.3, 0.4], 4],
  [[0.1, 0.2, 0.3, 0.4], NaN], // tfjs' int32 cast makes NaN class 0
  [[0.1, NaN, 0.3, 0.4], 7], // no class, NaN in the row
];

function softmaxRows(n: number, seed: number): number[][] {
  const v = randomValues(n * CLASSES, seed);
  return Array.from({ length: n }, (_, i) => {
    const e = Array.from(v.subarray(i * CLASSES, (i + 1) * CLASSES), (x) => Math.exp(4 * x));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / s);
  });
}

const probs = [...ROWS.map((r) => r[0]), ...softmaxRows(40, 3)];
const labels = [...ROWS.map((r) => r[1]), ...Array.from({ length: 40 }, (_, i) => (i * 7) % CLASSES)];
// Per-row weights on the loss: the gradient kernel must use each row's dy, not one for all.
const weights = Array.from({ length: probs.length }, (_, i) => 0.25 + (i % 5) / 4);

/** tfjs-layers' loss and 'accuracy' functions for sparse labels, as compile resolves them, and routed. */
function functions(): { tfjs: [Fn, Fn]; routed: [Fn, Fn] } {
  const model = () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: CLASSES })] });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  };
  const plain = model();
  const fused = model();
  fuseSparseLoss(fused);
  // A Sequential's compiled functions live in the LayersModel it wraps.
  const [p, f] = [plain, fused].map((m) => (m as unknown as { model: Compiled }).model);
  return { tfjs: [p.lossFunctions[0], p.metricsTensors[0][0]], routed: [f.lossFunctions[0], f.metricsTensors[0][0]] };
}

/** Loss per row, d(Σ weight · loss)/d probs, accuracy per row: plain arrays with -0 read as 0. */
function evaluate([loss, accuracy]: [Fn, Fn], labelShape: number[]): { loss: number[]; grad: number[]; accuracy: number[] } {
  const p = tf.tensor2d(probs);
  const y = tf.tensor(labels, labelShape);
  const w = tf.tensor1d(weights);
  const l = loss(y, p);
  const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(loss(y, x), w)))(p);
  const a = accuracy(y, p);
  const read = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => v + 0);
  const out = { loss: read(l), grad: read(g), accuracy: read(a) };
  tf.dispose([p, y, w, l, g, a]);
  return out;
}

afterEach(() => vi.restoreAllMocks());

describeNative('the fused sparse loss and accuracy on native', () => {
  it.each([[[probs.length, 1]], [[probs.length]]])("give tfjs-layers' values on cpu, bit for bit, for labels shaped %j", async (labelShape) => {
    await initBackend('cpu');
    const { tfjs, routed } = functions();
    const expected = evaluate(tfjs, labelShape);
    await useNative();
    const kernels = vi.spyOn(tf.engine(), 'runKernel');
    const actual = evaluate(routed, labelShape);
    const names = kernels.mock.calls.map((call) => call[0]);
    expect(names).toContain(SPARSE_CROSS_ENTROPY);
    expect(names).toContain(SPARSE_ACCURACY);
    expect(names).not.toContain('Log');
    expect(actual.loss).toEqual(expected.loss);
    expect(actual.grad).toEqual(expected.grad);
    expect(actual.accuracy).toEqual(expected.accuracy);
    // The rows above reach each branch: clipped gradients, NaN losses, and the accuracy both ways.
    expect(expected.grad.filter((v) => v === 0).length).toBeGreaterThan(10);
    expect(expected.loss.filter(Number.isNaN).length).toBeGreaterThan(1);
    expect(new Set(expected.accuracy)).toEqual(new Set([0, 1]));
  });
});
