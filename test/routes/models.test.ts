// /models endpoints on a model really trained in this process (TrialRunner + tfjs, no queue).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinDatasets } from '../../src/datasets/builtin.js';
import { createLogger } from '../../src/logger.js';
import { TrialRunner } from '../../src/services/trial-runner.js';
import { TfjsTrainingEngine } from '../../src/training/engine.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let modelId: string;
let searchId: string;
const img = (v: unknown = 0) => Array.from({ length: 28 }, () => Array.from({ length: 28 }, () => v));

beforeAll(async () => {
  h = await startHarness();
  const search = await h.core.searches.create(tinySearch({ budget: { maxTrials: 1, maxParallelTrials: 1 } }));
  const [trial] = await h.core.store.listTrials(search.id);
  const runner = new TrialRunner(h.core.store, new TfjsTrainingEngine('wasm', new BuiltinDatasets(h.config.datasetDir)), createLogger('warn', 'test'));
  expect(await runner.run(trial.id)).toBe('completed');
  const [done] = await h.core.store.listTrials(search.id);
  modelId = done.modelId!;
  searchId = search.id;
  await h.core.scheduler.advance(search.id); // records the result: the search completes
}, 120_000);
afterAll(async () => { await h?.close(); });

describe('GET /models/:id', () => {
  it('describes the model like Keras summary(), with its hyperparameters and metrics', async () => {
    const { body } = await h.request.get(`/models/${modelId}`).expect(200);
    expect(body.layers.map((l: { name: string }) => l.name)).toEqual(['conv2d', 'conv2d_1', 'flatten', 'dense', 'dense_1']);
    expect(body.layers[4].outputShape).toEqual([null, 10]);
    expect(body.totalParams).toBe(body.layers.reduce((n: number, l: { params: number }) => n + l.params, 0));
    expect(body.hyperparameters).toHaveProperty('conv_1_filter');
    expect(body.metrics.valAccuracy).toBeGreaterThan(0);
    expect(body.metrics.bestEpoch).toBe(1);
    expect(body.dataset.labels).toHaveLength(10);
  });

  it('answers 404 for an unknown model', async () => {
    expect((await h.request.get('/models/nope').expect(404)).body.error.code).toBe('NOT_FOUND');
  });
});

describe('POST /models/:id/predict', () => {
  it('returns class, label and probabilities for 28x28 and 28x28x1 instances', async () => {
    const { body } = await h.request.post(`/models/${modelId}/predict`).send({ instances: [img(0), img(200).map((r) => r.map((v) => [v]))] }).expect(200);
    expect(body.predictions).toHaveLength(2);
    for (const p of body.predictions) {
      expect(p.probabilities).toHaveLength(10);
      expect(p.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
      expect(p.classIndex).toBe(p.probabilities.indexOf(Math.max(...p.probabilities)));
      expect(typeof p.label).toBe('string');
    }
  });

  it.each([
    ['a wrong shape', { instances: [img().slice(2)] }, /instances\[0\]/],
    ['a non-number', { instances: [img('x')] }, /instances\[0\]\[0\]\[0\]/],
    ['too many instances', { instances: Array.from({ length: 257 }, () => img()) }, /at most 256/],
    ['no instances', { instances: [] }, /instances/],
    ['a missing body field', {}, /instances/],
  ])('rejects %s with a 400', async (_what, body, message) => {
    const res = await h.request.post(`/models/${modelId}/predict`).send(body).expect(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('answers 404 for an unknown model', async () => {
    await h.request.post('/models/nope/predict').send({ instances: [img()] }).expect(404);
  });
});

describe('a completed search', () => {
  it('names its best model, which serves predictions, and refuses a cancel with 409', async () => {
    const { body } = await h.request.get(`/searches/${searchId}`).expect(200);
    expect(body).toMatchObject({ status: 'completed', bestModelId: modelId });
    expect(body.finishedAt).not.toBeNull();
    const res = await h.request.post(`/searches/${searchId}/cancel`).expect(409);
    expect(res.body.error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already completed/) });
  });
});
