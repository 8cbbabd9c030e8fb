// TRAINING_BACKEND=auto on a worker: which backend trains fastest here is measured, not guessed
// (a weak GPU behind WebGPU can lose to oneDNN on a big CPU, and wasm threads depend on the host).
// Each available backend trains a few steps of a model shaped like the reference search's; the
// fastest wins. Runs once per worker start, in a child process (workers/probe-child.ts).
import * as tf from '@tensorflow/tfjs';
import type { ConcreteModel } from '../domain/model-template.js';
import { BackendUnavailableError } from './backend-unavailable.js';
import { initBackend, type ActiveBackend, type BackendName, type BackendOptions } from './backend.js';
import { buildModel, disposeModel } from './build-model.js';

/** Fastest first when in doubt: the order breaks ties and is the order of the log lines. */
export const PROBE_ORDER: readonly BackendName[] = ['cuda', 'tensorflow', 'webgpu', 'native', 'wasm'];

export interface ProbeEntry {
  name: BackendName;
  samplesPerSecond?: number;
  detail?: string;
  reason?: string; // why it was not measured
}

export interface ProbeResult {
  chosen: ActiveBackend;
  entries: ProbeEntry[];
}

// The reference search's convolution stack at a mid-range size: what the probe ranks must be
// what trials will do.
const PROBE_MODEL: ConcreteModel = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 64, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' },
    { type: 'conv2d', filters: 48, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' },
    { type: 'flatten' },
    { type: 'dense', units: 48, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
  optimizer: { type: 'adam', learningRate: 0.001, momentum: 0 },
  loss: 'sparseCategoricalCrossentropy',
};

export interface ProbeOptions extends BackendOptions {
  batchSize: number;
  /** Measuring stops after this long per backend (after at least two timed steps). */
  budgetMs: number;
}

export const defaultProbeOptions = (o: BackendOptions): ProbeOptions => ({ ...o, batchSize: 32, budgetMs: 1500 });

export interface TrainingMeasurement {
  samplesPerSecond: number;
  steps: number;
  seconds: number;
  /** CPU time over wall time of this process while it trained (2.0: two cores busy). */
  cpuCores: number;
  params: number;
  /** Tensors alive after the timed steps that were not before them (0 unless something leaks). */
  leakedTensors: number;
}

/**
 * trainOnBatch on the active backend: one untimed warm-up step (kernel compilation, primitive
 * caches), then timed steps until `budgetMs` has passed (at least two, at most `maxSteps`).
 */
export async function measureTraining(m: ConcreteModel, batchSize: number, budgetMs: number, maxSteps = Infinity): Promise<TrainingMeasurement> {
  const model = buildModel(m, 1);
  const xs = tf.randomUniform([batchSize, ...m.inputShape]);
  const ys = tf.tensor2d(Array.from({ length: batchSize }, (_, i) => i % 10), [batchSize, 1]);
  try {
    await model.trainOnBatch(xs, ys);
    const tensorsBefore = tf.memory().numTensors;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    let steps = 0;
    while ((steps < 2 || performance.now() - start < budgetMs) && steps < maxSteps) {
      await model.trainOnBatch(xs, ys);
      steps++;
    }
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      samplesPerSecond: (steps * batchSize) / seconds, steps, seconds, cpuCores: (cpu.user + cpu.system) / 1e6 / seconds,
      params: model.countParams(), leakedTensors: tf.memory().numTensors - tensorsBefore,
    };
  } finally {
    tf.dispose([xs, ys]);
    disposeModel(model);
  }
}

/** The probe's figure for the active backend: samples/s of PROBE_MODEL, at most 50 timed steps. */
export async function probeRate(o: ProbeOptions): Promise<number> {
  return (await measureTraining(PROBE_MODEL, o.batchSize, o.budgetMs, 50)).samplesPerSecond;
}

/** Measures every backend of `order` that comes up and activates the fastest; cpu only when none does. */
export async function probeFastest(options: ProbeOptions, order: readonly BackendName[] = PROBE_ORDER): Promise<ProbeResult> {
  const entries: ProbeEntry[] = [];
  let best: { backend: ActiveBackend; rate: number } | undefined;
  for (const name of order) {
    try {
      const backend = await initBackend(name, options);
      const rate = await probeRate(options);
      entries.push({ name, samplesPerSecond: Math.round(rate * 10) / 10, detail: backend.detail });
      if (!best || rate > best.rate) best = { backend, rate };
    } catch (err) {
      // A backend that comes up but cannot train is as unusable as one that does not come up.
      entries.push({ name, reason: err instanceof BackendUnavailableError ? err.reason : (err as Error).message });
    }
  }
  if (!best) {
    const backend = await initBackend('cpu', options);
    entries.push({ name: 'cpu', detail: backend.detail });
    return { chosen: backend, entries };
  }
  await initBackend(best.backend.name, options);
  return { chosen: best.backend, entries };
}
