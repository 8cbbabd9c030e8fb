// The whole product on real Redis, a real database and real training in worker child processes:
// a 2-trial x 1-epoch search on 2,000 images, then predictions with the best model on real test images.
import { afterEach, describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../../src/datasets/fashion-mnist.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { postgresAvailable, startHarness, waitFor, type Harness } from '../helpers/harness.js';
import { imageRows } from '../fixtures/instances.js';

let h: Harness | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

async function runSearchEndToEnd(db: 'sqlite' | 'postgres', backend: 'auto' | 'wasm') {
  h = await startHarness(db, { TRAINING_BACKEND: backend });
  await h.startWorker();
  // The worker resolved its backend once, at start, and announced it.
  const [worker] = await h.core.workers.list();
  if (backend === 'auto') expect(worker.probe.find((p) => p.name === worker.backend)?.samplesPerSecond).toBeGreaterThan(0);
  else expect(worker.backend).toBe(backend);
  const created = await h.request.post('/searches').send(tinySearch()).expect(201);
  const search = await waitFor(
    async () => (await h!.request.get(`/searches/${created.body.id}`)).body,
    (s) => s.status !== 'queued' && s.status !== 'running', 180_000, 'the search to finish');
  expect(search.status).toBe('completed');
  expect(search.trials).toMatchObject({ total: 2, completed: 2 });

  const { trials } = (await h.request.get(`/searches/${search.id}/trials`).expect(200)).body;
  expect(trials.map((t: { number: number }) => t.number)).toEqual([1, 2]);
  for (const t of trials) {
    expect(t).toMatchObject({ status: 'completed', backend: worker.backend, error: null, attempts: 1 });
    expect(t.epochs).toHaveLength(1);
    expect(t.epochs[0].valAccuracy).toBe(t.valAccuracy);
    expect(t.modelId).toBeTruthy();
    expect(Date.parse(t.finishedAt)).toBeGreaterThanOrEqual(Date.parse(t.startedAt));
  }
  const best = Math.max(...trials.map((t: { valAccuracy: number }) => t.valAccuracy));
  expect(search.bestTrial.valAccuracy).toBe(best);
  expect(search.bestModelId).toBe(trials.find((t: { id: string }) => t.id === search.bestTrial.id).modelId);

  // Real test images the search never saw; chance is 10%.
  const test = loadFashionMnist(h.config.datasetDir, 'test', 200);
  const instances = Array.from({ length: test.count }, (_, i) => imageRows(test, i));
  const { predictions } = (await h.request.post(`/models/${search.bestModelId}/predict`).send({ instances }).expect(200)).body;
  const correct = predictions.filter((p: { classIndex: number }, i: number) => p.classIndex === test.labels[i]).length;
  expect(correct / test.count).toBeGreaterThan(0.5);
}

describe('end to end', () => {
  it('runs a real search on SQLite, on the backend the probe chose, and serves its best model', async () => {
    await runSearchEndToEnd('sqlite', 'auto');
  }, 240_000);

  it('runs a real search on PostgreSQL and serves its best model', async (ctx) => {
    if (!(await postgresAvailable())) ctx.skip();
    await runSearchEndToEnd('postgres', 'wasm');
  }, 240_000);

  it('cancels a running search: the trial stops at the next epoch boundary', async () => {
    h = await startHarness();
    await h.startWorker();
    const req = tinySearch({ training: { epochs: 20, batchSize: 32, validationSplit: 0.1 } });
    const { body } = await h.request.post('/searches').send(req).expect(201);
    const trials = async () => (await h!.request.get(`/searches/${body.id}/trials`)).body.trials;
    await waitFor(trials, (ts) => ts[0]?.epochs.length >= 1, 120_000, 'a first epoch');
    expect((await h.request.post(`/searches/${body.id}/cancel`).expect(200)).body.status).toBe('cancelled');
    const [t] = await waitFor(trials, (ts) => ts[0].status !== 'running', 60_000, 'the trial to stop');
    expect(t.status).toBe('cancelled');
    expect(t.epochs.length).toBeLessThan(20);
    expect((await trials()).length).toBe(1); // no new trial after the cancel
  }, 240_000);
});
