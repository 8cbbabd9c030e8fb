// Large JSON prediction bodies are decoded in the inference threads, not on the API's event loop
// (src/plugins/json-body.ts, decodeJson): same predictions as small bodies parsed on the loop, the
// same 4xx answers, and bodies the loop's parser must judge still get exactly its answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFF_LOOP_JSON_BYTES } from '../../src/plugins/json-body.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { saveUntrainedModel } from '../helpers/untrained-model.js';

let h: Harness;
let modelId: string;
/** Bytes of every body the pool decoded. */
const decoded: number[] = [];
const img = (seed: number) => Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => (seed * 37 + y * 28 + x) % 256));
const images = (n: number, from = 0) => Array.from({ length: n }, (_, i) => img(from + i));
const predict = (body: string) => h.request.post(`/models/${modelId}/predict`).set('content-type', 'application/json').send(body);

beforeAll(async () => {
  h = await startHarness('sqlite', {}, { inferenceThreads: 1 });
  const search = await h.core.searches.create(tinySearch({ budget: { maxTrials: 1, maxParallelTrials: 1 } }));
  modelId = await saveUntrainedModel(h.core.store, search.id);
  // Watches the real pool's decodes (it still does them).
  const pool = h.pool!;
  const decode = pool.decodeInstances.bind(pool);
  pool.decodeInstances = (bytes, spec) => { decoded.push(bytes.length); return decode(bytes, spec); };
}, 60_000);
afterAll(async () => { await h?.close(); });

describe('a large JSON prediction body', () => {
  it('is decoded in a thread and predicts as the same images sent in small bodies do', async () => {
    const large = JSON.stringify({ instances: images(16) });
    expect(large.length).toBeGreaterThan(OFF_LOOP_JSON_BYTES);
    const before = decoded.length;
    const { body } = await predict(large).expect(200);
    expect(decoded.slice(before)).toEqual([large.length]);
    const small = await Promise.all([0, 4, 8, 12].map(async (from) => {
      const each = JSON.stringify({ instances: images(4, from) });
      expect(each.length).toBeLessThan(OFF_LOOP_JSON_BYTES);
      return (await predict(each).expect(200)).body.predictions;
    }));
    expect(decoded.length).toBe(before + 1); // the small ones on the loop
    const want = small.flat();
    expect(body.predictions.map((p: { classIndex: number }) => p.classIndex)).toEqual(want.map((p: { classIndex: number }) => p.classIndex));
    for (const [i, p] of body.predictions.entries()) {
      for (const [k, v] of p.probabilities.entries()) expect(v).toBeCloseTo(want[i].probabilities[k], 5);
    }
  });

  it('gets the 400 naming the bad pixel, or the instance limit, from the thread', async () => {
    const bad = images(16);
    bad[13][27][5] = 256;
    const before = decoded.length;
    const res = await predict(JSON.stringify({ instances: bad })).expect(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: 'instances[13][27][5]: must be a number from 0 to 255, got 256' });
    expect((await predict(JSON.stringify({ instances: images(257) })).expect(400)).body.error.message).toMatch(/instances: at most 256 instances per request, got 257/);
    expect(decoded.length).toBe(before + 2);
  });

  it.each([
    ['malformed JSON', (x: string) => x.slice(0, -1)],
    ['a __proto__ key', (x: string) => `{"__proto__": {"polluted": 1}, ${x.slice(1)}`],
    ['a second property', (x: string) => `{"extra": 1, ${x.slice(1)}`],
    ['instances not an array', (x: string) => `{"instances": {"a": ${x.slice('{"instances":'.length, -1)}}}`],
  ])('with %s gets the answer a small body with it gets', async (_, spoil) => {
    const small = spoil(JSON.stringify({ instances: images(1) }));
    const large = spoil(JSON.stringify({ instances: images(16) }));
    expect(large.length).toBeGreaterThan(OFF_LOOP_JSON_BYTES);
    const want = await predict(small);
    const got = await predict(large);
    expect(want.status).toBeGreaterThanOrEqual(400);
    expect(want.status).toBeLessThan(500);
    expect({ status: got.status, error: got.body.error }).toEqual({ status: want.status, error: want.body.error });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('for an unknown model is a 404', async () => {
    const res = await h.request.post('/models/nope/predict').set('content-type', 'application/json').send(JSON.stringify({ instances: images(16) })).expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});
