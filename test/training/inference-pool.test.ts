// The inference pool with real worker threads, real tfjs models (untrained weights) and the
// backend the API would pick here: its answers equal inline predictions, a busy pool leaves the
// event loop free, and models come and go without taking a thread down.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { decodeInstancesJson } from '../../src/domain/instances-json.js';
import type { ModelArtifact } from '../../src/domain/model-artifact.js';
import { resolveTemplate } from '../../src/domain/model-template.js';
import { PredictionBatcher } from '../../src/services/prediction-batcher.js';
import { modelToArtifact } from '../../src/training/artifact.js';
import { initConfiguredBackend, type ActiveBackend } from '../../src/training/backend.js';
import { buildModel, disposeModel } from '../../src/training/build-model.js';
import { TfjsInference } from '../../src/training/inference.js';
import { InferencePool } from '../../src/training/inference-pool.js';
import { NOTEBOOK_BEST_HPS, referenceSearch } from '../fixtures/reference-search.js';

const SHAPE = [28, 28, 1];
const PIXELS = 28 * 28;

let backend: ActiveBackend;
let pool: InferencePool;
let small: ModelArtifact;
let reference: ModelArtifact;

async function artifactOf(hps: Record<string, number>): Promise<ModelArtifact> {
  const model = buildModel(resolveTemplate(referenceSearch().model, hps), 1);
  try {
    return await modelToArtifact(model);
  } finally {
    disposeModel(model);
  }
}

function images(count: number, seed: number): Float32Array {
  return Float32Array.from({ length: count * PIXELS }, (_, i) => ((i * 7919 + seed * 104_729) % 1000) / 1000);
}

async function inline(artifact: ModelArtifact, inputs: Float32Array, count: number): Promise<Float32Array> {
  const m = await new TfjsInference().load(artifact);
  try {
    return await m.predict(inputs, count, SHAPE);
  } finally {
    m.dispose();
  }
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i])), 0);
}

beforeAll(async () => {
  backend = await initConfiguredBackend('auto', { threads: 1 });
  pool = await InferencePool.start({ size: 2, backend: backend.name, threadsEach: 1, nice: 5 }); // the API's default niceness
  small = await artifactOf({ conv_1_filter: 8, conv_1_kernel: 3, conv_2_filter: 8, conv_2_kernel: 3, dense_1_units: 16, learning_rate: 0.001 });
  reference = await artifactOf(NOTEBOOK_BEST_HPS);
});
afterAll(async () => { await pool?.close(); });

describe('InferencePool', () => {
  it('answers as the same model does inline, for each of two models, on concurrent passes', async () => {
    const a = await pool.load(small);
    const b = await pool.load(reference);
    expect(a.parallelism).toBe(4); // two threads, each running a pass and holding the next
    const inputs = [images(3, 1), images(5, 2), images(1, 3), images(7, 4)];
    // Four passes at once over two threads: each thread gets each model with its first pass of it.
    const got = await Promise.all(inputs.map((x, i) => (i % 2 ? b : a).predict(x, x.length / PIXELS, SHAPE)));
    for (const [i, x] of inputs.entries()) {
      const want = await inline(i % 2 ? reference : small, x, x.length / PIXELS);
      expect(maxDiff(got[i], want)).toBeLessThan(1e-5);
    }
    // The caller's arrays are not taken from it (the pool transfers a copy).
    expect(inputs[0].length).toBe(3 * PIXELS);
    a.dispose();
    b.dispose();
  });

  it('leaves the event loop free while every thread runs a long pass', async () => {
    const m = await pool.load(reference);
    const x = images(1500, 5);
    await m.predict(x.subarray(0, 10 * PIXELS), 10, SHAPE); // both threads' first pass (model load) out of the way
    await m.predict(x.subarray(0, 10 * PIXELS), 10, SHAPE);
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.now();
    await Promise.all([m.predict(x, 1500, SHAPE), m.predict(x, 1500, SHAPE)]);
    const took = performance.now() - started;
    delay.disable();
    m.dispose();
    // Inline, the loop would stall for a whole pass (its longest delay ≈ took); here it only posts
    // and receives messages. The bound leaves room for other processes on a shared machine.
    expect(took).toBeGreaterThan(300);
    expect(delay.max / 1e6).toBeLessThan(took / 3);
  });

  it('fails a pass of a disposed model and a broken artifact at load, and goes on serving', async () => {
    const m = await pool.load(small);
    m.dispose();
    await expect(m.predict(images(1, 1), 1, SHAPE)).rejects.toThrow(/unloaded/);
    await expect(pool.load({ ...small, weightData: small.weightData.subarray(0, 100) })).rejects.toThrow();
    const again = await pool.load(small);
    const x = images(2, 9);
    expect(maxDiff(await again.predict(x, 2, SHAPE), await inline(small, x, 2))).toBeLessThan(1e-5);
    again.dispose();
  });

  it('under a batcher, runs up to one pass per thread and splits merged passes back per request', async () => {
    const m = await pool.load(small);
    const batcher = new PredictionBatcher(m, { maxImages: 8, waitMs: 5 });
    const inputs = Array.from({ length: 24 }, (_, i) => images(1 + (i % 3), i));
    const got = await Promise.all(inputs.map((x) => batcher.predict(x, x.length / PIXELS, SHAPE)));
    for (const [i, x] of inputs.entries()) expect(maxDiff(got[i], await inline(small, x, x.length / PIXELS))).toBeLessThan(1e-5);
    m.dispose();
  });

  it('hands a thread its next pass ahead, so it runs on while the event loop is busy', async () => {
    const one = await InferencePool.start({ size: 1, backend: backend.name, threadsEach: 1 });
    try {
      const m = await one.load(reference);
      expect(m.parallelism).toBe(2);
      const x = images(200, 7);
      await m.predict(x, 200, SHAPE); // loads the model into the thread
      const t0 = performance.now();
      await m.predict(x, 200, SHAPE);
      const pass = performance.now() - t0;
      const passes = [m.predict(x, 200, SHAPE), m.predict(x, 200, SHAPE)];
      // The event loop is blocked for far longer than both passes take: the thread already holds
      // the second, so both are done when the loop is free again. Were the second sent only once
      // the loop heard that the first was done, it would start only now and take a whole pass.
      const until = performance.now() + Math.max(8 * pass, 1000);
      while (performance.now() < until);
      const freed = performance.now();
      const got = await Promise.all(passes);
      expect(performance.now() - freed).toBeLessThan(pass / 2);
      expect(maxDiff(got[1], await inline(reference, x, 200))).toBeLessThan(1e-5);
      m.dispose();
    } finally {
      await one.close();
    }
  });

  it('fails both passes a dying thread holds, replaces the thread and goes on serving', async () => {
    const one = await InferencePool.start({ size: 1, backend: backend.name, threadsEach: 1 });
    try {
      const m = await one.load(small);
      const x = images(300, 3);
      const held = [m.predict(x, 300, SHAPE), m.predict(x, 300, SHAPE)];
      // The pool's only thread, killed while it holds both passes (what a crash in a kernel does).
      const [thread] = (one as unknown as { threads: Set<{ worker: { terminate(): Promise<number> }; jobs: unknown[] }> }).threads;
      expect(thread.jobs).toHaveLength(2);
      await thread.worker.terminate();
      for (const r of await Promise.allSettled(held)) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason.message).toMatch(/inference thread running this prediction died/);
      }
      const y = images(2, 4);
      expect(maxDiff(await m.predict(y, 2, SHAPE), await inline(small, y, 2))).toBeLessThan(1e-5);
      m.dispose();
    } finally {
      await one.close();
    }
  });

  it('exports as the inline engine does, in either format', async () => {
    const about = { labels: ['a', 'b'], pixelMax: 255, modelId: 'm' };
    for (const format of ['tfjs', 'onnx'] as const) {
      const [pooled, alone] = await Promise.all([pool.archive(small, format, about), new TfjsInference().archive(small, format, about)]);
      expect(pooled.length).toBeGreaterThan(1000);
      if (format === 'onnx') expect(Buffer.from(pooled).equals(Buffer.from(alone))).toBe(true); // a zip holds timestamps
    }
  });

  it('decodes a JSON body in a thread as decodeInstancesJson does inline, with its errors', async () => {
    const spec = { inputShape: SHAPE, pixelMax: 255, maxInstances: 4, scan: { depth: 64, values: 100_000, tokenBytes: 64 } };
    const img = (v: number) => Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => (v + y + x) % 256));
    const body = Buffer.from(JSON.stringify({ instances: [img(1), img(2)] }));
    expect(await pool.decodeInstances(body, spec)).toEqual(decodeInstancesJson(body, spec));
    expect(body.length).toBeGreaterThan(1000); // the caller's bytes are not taken from it
    const bad = img(3);
    bad[2][7] = -1;
    const err = await pool.decodeInstances(Buffer.from(JSON.stringify({ instances: [img(1), bad] })), spec).catch((e: unknown) => e);
    expect(err).toEqual(new ValidationError('instances[1][2][7]', 'must be a number from 0 to 255, got -1'));
    expect(err).toBeInstanceOf(ValidationError);
    expect(await pool.decodeInstances(Buffer.from('{"instances": ['), spec)).toEqual({ parseOnLoop: 'is not valid JSON' });
  });

  it('rejects what is asked after close', async () => {
    const other = await InferencePool.start({ size: 1, backend: backend.name, threadsEach: 1 });
    const m = await other.load(small);
    await other.close();
    await expect(m.predict(images(1, 1), 1, SHAPE)).rejects.toThrow(/closed/);
  });
});
