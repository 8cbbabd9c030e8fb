// Dynamic batching over real tfjs models (untrained weights, the notebook's layer shape): the
// LoadedModel is wrapped only to count passes and, in one test, to fail one of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceEngine, LoadedModel } from '../../src/domain/training-port.js';
import { Metrics } from '../../src/services/metrics.js';
import { ModelService } from '../../src/services/model-service.js';
import { PredictionBatcher } from '../../src/services/prediction-batcher.js';
import { migrate } from '../../src/store/migrate.js';
import { openPrismaStore, type PrismaStore } from '../../src/store/prisma-store.js';
import { initConfiguredBackend } from '../../src/training/backend.js';
import { TfjsInference } from '../../src/training/inference.js';
import { InferencePool } from '../../src/training/inference-pool.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { saveUntrainedModel } from '../helpers/untrained-model.js';

const SHAPE = [28, 28, 1];
const PIXELS = 28 * 28;
const HPS = { conv_1_filter: 8, conv_1_kernel: 3, conv_2_filter: 8, conv_2_kernel: 3, dense_1_units: 16, learning_rate: 0.003 };

let dir: string;
let store: PrismaStore;
let modelIds: string[];
let model: LoadedModel;

beforeAll(async () => {
  await initConfiguredBackend('wasm', { threads: 1 });
  dir = mkdtempSync(join(tmpdir(), 'hypertune-batcher-'));
  const url = `file:${join(dir, 'db.sqlite')}`;
  await migrate(url);
  store = await openPrismaStore(url);
  const req = tinySearch();
  const spec = { ...req, algorithm: { name: 'random' as const, seed: 1 }, budget: { maxTrials: 1, maxParallelTrials: 1, maxRetriesPerTrial: 2, maxRetrains: 3 }, training: { epochs: 1, batchSize: 16, validationSplit: 0.1 }, objective: { metric: 'val_accuracy' as const, direction: 'max' as const }, earlyStopping: { name: 'none' as const, startEpoch: 1, minTrials: 3 } };
  modelIds = [];
  for (const id of ['s1', 's2']) { // a model per search (its first trial's)
    await store.createSearch({ id, name: 'batcher', spec: spec as never });
    await store.commitSchedule(id, (await store.getSearch(id))!.version, {}, [{ id: `${id}-t1`, number: 1, hyperparameters: HPS }]);
    modelIds.push(await saveUntrainedModel(store, id));
  }
  model = await new TfjsInference().load((await store.getModelArtifact(modelIds[0]))!);
});
afterAll(async () => { model?.dispose(); await store?.close(); rmSync(dir, { recursive: true, force: true }); });

/** `count` images of pseudo-random pixels in [0, 1], different per seed. */
function images(count: number, seed: number): Float32Array {
  return Float32Array.from({ length: count * PIXELS }, (_, i) => ((i * 7919 + seed * 104_729) % 1000) / 1000);
}

/** The real model, with every pass's image count recorded; `failOn` (a 1-based pass number) throws instead. */
function counting(inner: LoadedModel, failOn?: number) {
  const passes: number[] = [];
  const wrapped: LoadedModel = {
    async predict(inputs, count, shape) {
      passes.push(count);
      if (passes.length === failOn) throw new Error(`pass ${failOn} failed`);
      return inner.predict(inputs, count, shape);
    },
    dispose: () => inner.dispose(),
  };
  return { wrapped, passes };
}

function expectClose(actual: Float32Array, expected: Float32Array) {
  expect(actual.length).toBe(expected.length);
  const worst = actual.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0);
  expect(worst).toBeLessThan(1e-6);
}

describe('prediction batcher', () => {
  it('merges concurrent requests into one pass, each answered exactly as alone, in order', async () => {
    const { wrapped, passes } = counting(model);
    const batcher = new PredictionBatcher(wrapped, { maxImages: 64, waitMs: 20 });
    const sizes = [1, 3, 1, 5, 2, 1, 4, 1];
    const inputs = sizes.map((n, k) => images(n, k));
    const answers = await Promise.all(inputs.map((x, k) => batcher.predict(x, sizes[k], SHAPE)));
    expect(passes).toEqual([sizes.reduce((a, b) => a + b, 0)]);
    for (const [k, x] of inputs.entries()) {
      expect(answers[k].length).toBe(sizes[k] * 10);
      expectClose(answers[k], await model.predict(x, sizes[k], SHAPE));
    }
  });

  it('reports each pass\'s image count, as GET /metrics shows it', async () => {
    // The queue source is never read: only the batch histogram is, not a scrape.
    const metrics = new Metrics({ store, queue: { counts: () => Promise.reject(new Error('not scraped here')) } }, { defaultMetrics: false });
    const batcher = new PredictionBatcher(model, { maxImages: 64, waitMs: 50 }, (n) => metrics.observeBatch(n));
    const inputs = [1, 2, 3].map((n, k) => images(n, k)); // made first: a loaded machine may pause between them
    await Promise.all(inputs.map((x, k) => batcher.predict(x, k + 1, SHAPE)));
    await batcher.predict(images(1, 7), 1, SHAPE);
    const text = await metrics.registry.getSingleMetricAsString('hypertune_prediction_batch_images');
    expect(text).toMatch(/^hypertune_prediction_batch_images_sum 7$/m); // 1 + 2 + 3 in one pass, then 1
    expect(text).toMatch(/^hypertune_prediction_batch_images_count 2$/m);
    expect(text).toMatch(/^hypertune_prediction_batch_images_bucket\{le="4"\} 1$/m);
  });

  it('with a wait of 0 runs the first request at once and merges those that queued during its pass', async () => {
    const { wrapped, passes } = counting(model);
    const batcher = new PredictionBatcher(wrapped, { maxImages: 64, waitMs: 0 });
    const answers = await Promise.all([0, 1, 2, 3, 4].map((k) => batcher.predict(images(1, k), 1, SHAPE)));
    expect(passes).toEqual([1, 4]);
    expectClose(answers[3], await model.predict(images(1, 3), 1, SHAPE));
  });

  it('fails only the requests of a failed pass; the next pass is unaffected', async () => {
    const { wrapped, passes } = counting(model, 2);
    const batcher = new PredictionBatcher(wrapped, { maxImages: 64, waitMs: 0 });
    const results = await Promise.allSettled([0, 1, 2].map((k) => batcher.predict(images(1, k), 1, SHAPE)));
    expect(passes).toEqual([1, 2]); // the first alone, the two queued during it together
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    for (const r of results.slice(1)) expect((r as PromiseRejectedResult).reason.message).toBe('pass 2 failed');
    const after = await batcher.predict(images(2, 9), 2, SHAPE);
    expect(passes).toEqual([1, 2, 2]);
    expectClose(after, await model.predict(images(2, 9), 2, SHAPE));
  });

  it('answers a lone request once the wait is over, not waiting for a full batch', async () => {
    const { wrapped, passes } = counting(model);
    const waitMs = 40;
    const batcher = new PredictionBatcher(wrapped, { maxImages: 64, waitMs });
    await batcher.predict(images(1, 0), 1, SHAPE); // warm-up: the timing below measures the wait, not a first pass
    const t0 = performance.now();
    await batcher.predict(images(1, 1), 1, SHAPE);
    const elapsed = performance.now() - t0;
    expect(passes).toEqual([1, 1]);
    expect(elapsed).toBeGreaterThanOrEqual(waitMs - 1);
    expect(elapsed).toBeLessThan(waitMs + 40); // a few ms of timer slack and one small pass
  });

  it('runs as many passes at once as the model can run in parallel, and no more', async () => {
    for (const parallelism of [1, 2, 3]) {
      let inFlight = 0;
      let most = 0;
      const { wrapped, passes } = counting(model);
      const parallel: LoadedModel = {
        ...wrapped,
        parallelism,
        async predict(inputs, count, shape) {
          most = Math.max(most, ++inFlight);
          try {
            await sleep(30); // a pool thread's pass: the event loop is free meanwhile
            return await wrapped.predict(inputs, count, shape);
          } finally {
            inFlight--;
          }
        },
      };
      const batcher = new PredictionBatcher(parallel, { maxImages: 2, waitMs: 0 });
      const answers = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((k) => batcher.predict(images(1, k), 1, SHAPE)));
      expect(most).toBe(parallelism);
      expect(passes.reduce((a, b) => a + b, 0)).toBe(8);
      expectClose(answers[6], await model.predict(images(1, 6), 1, SHAPE));
    }
  });

  it('with passes running side by side, gives each a fair share of the queue rather than all it may take', async () => {
    const { wrapped, passes } = counting(model);
    const slow: LoadedModel = { ...wrapped, parallelism: 2, predict: async (inputs, count, shape) => { await sleep(30); return wrapped.predict(inputs, count, shape); } };
    const batcher = new PredictionBatcher(slow, { maxImages: 64, waitMs: 0 });
    // Two lone requests take both places; six queue behind them. When the first pass ends, one
    // image is still running and six wait: the next pass takes ceil(7 / 2) = 4, not all six, and
    // the last two go in the place the other pass frees.
    const first = [0, 1].map((k) => batcher.predict(images(1, k), 1, SHAPE));
    const queued = [2, 3, 4, 5, 6, 7].map((k) => batcher.predict(images(1, k), 1, SHAPE));
    const answers = await Promise.all([...first, ...queued]);
    expect(passes).toEqual([1, 1, 4, 2]);
    expectClose(answers[7], await model.predict(images(1, 7), 1, SHAPE));
  });

  it('runs a request over the max on its own, the requests around it in their own passes', async () => {
    const { wrapped, passes } = counting(model);
    const batcher = new PredictionBatcher(wrapped, { maxImages: 4, waitMs: 20 });
    const big = images(6, 5);
    const [, bigAnswer] = await Promise.all([batcher.predict(images(1, 1), 1, SHAPE), batcher.predict(big, 6, SHAPE), batcher.predict(images(1, 2), 1, SHAPE)]);
    expect(passes).toEqual([1, 6, 1]);
    expectClose(bigAnswer, await model.predict(big, 6, SHAPE));
  });
});

describe('batching in the model registry', () => {
  it('keeps a model evicted while its batch waits until the batch is answered, then disposes it', async () => {
    const events: string[] = [];
    const tfjs = new TfjsInference();
    let loads = 0;
    let firstLoaded!: () => void;
    const loaded = new Promise<void>((r) => { firstLoaded = r; });
    const engine: InferenceEngine = {
      async load(a) {
        const name = `model ${++loads}`;
        const inner = await tfjs.load(a);
        events.push(`load ${name}`);
        if (loads === 1) firstLoaded();
        return {
          async predict(x, count, shape) { events.push(`pass ${name}: ${count}`); return inner.predict(x, count, shape); },
          dispose: () => { events.push(`dispose ${name}`); inner.dispose(); },
        };
      },
      archive: (...args) => tfjs.archive(...args),
    };
    const models = new ModelService(store, engine, { cacheSize: 1, maxInstances: 8, batch: { maxImages: 64, waitMs: 150 } });
    const instances = (k: number) => [Array.from({ length: 28 }, (_, r) => Array.from({ length: 28 }, (_, c) => (r * 28 + c + k * 31) % 256))];
    const batched = Promise.all([0, 1, 2].map((k) => models.predict(modelIds[0], instances(k))));
    await loaded;
    await sleep(20); // the three requests are queued in model 1's batcher, which waits 150 ms
    const other = await models.predict(modelIds[1], instances(3)); // evicts model 1 (cache size 1) while its batch waits
    const answers = await batched;
    expect(events.slice(0, 4)).toEqual(['load model 1', 'load model 2', 'pass model 1: 3', 'dispose model 1']);
    expect(other[0].probabilities).toHaveLength(10);
    for (const [k, [answer]] of answers.entries()) {
      const alone = await model.predict(Float32Array.from(instances(k)[0].flat(), (v) => v / 255), 1, SHAPE);
      expectClose(Float32Array.from(answer.probabilities), alone);
    }
    await models.close();
  });
});

describe('batching over the inference pool, through the model registry', () => {
  it('answers good requests merged in one pass while a bad one beside them gets its own 4xx, and keeps an evicted model until its batch is answered', async () => {
    const pool = await InferencePool.start({ size: 2, backend: 'wasm', threadsEach: 1 });
    const passes: number[] = [];
    const models = new ModelService(store, pool, { cacheSize: 1, maxInstances: 8, batch: { maxImages: 64, waitMs: 150 }, onPass: (n) => passes.push(n) });
    try {
      const instances = (k: number) => [Array.from({ length: 28 }, (_, r) => Array.from({ length: 28 }, (_, c) => (r * 28 + c + k * 31) % 256))];
      const good = [0, 1, 2].map((k) => models.predict(modelIds[0], instances(k)));
      const bad = models.predict(modelIds[0], [[[1, 2, 3]]]); // not 28x28: refused before it reaches the batch
      await expect(bad).rejects.toMatchObject({ name: 'ValidationError' });
      await sleep(40); // the three wait in model 1's batcher (150 ms)
      const other = await models.predict(modelIds[1], instances(3)); // evicts model 1 (cache size 1) meanwhile
      const answers = await Promise.all(good);
      // Model 1's three in one pass, model 2's request in another (which came first depends on
      // how long each model took to load into a thread).
      expect([...passes].sort()).toEqual([1, 3]);
      expect(other[0].probabilities).toHaveLength(10);
      for (const [k, [answer]] of answers.entries()) {
        const alone = await model.predict(Float32Array.from(instances(k)[0].flat(), (v) => v / 255), 1, SHAPE);
        expectClose(Float32Array.from(answer.probabilities), alone);
      }
      // Model 1 was disposed after its pass: loaded again for the next request, it still answers.
      expect((await models.predict(modelIds[0], instances(0)))[0].probabilities).toEqual(answers[0][0].probabilities);
    } finally {
      await models.close();
      await pool.close();
    }
  });
});
