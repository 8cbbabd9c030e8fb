// POST /searches/:id/retrain (the notebook's last step: model.fit(..., epochs=10, initial_epoch=3)
// on the best model) and GET /models/:id lineage, on the real app, database, Redis and a real
// worker: the retrain continues the best trial's epochs and its model names the model it came from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { reconcile } from '../../src/services/reconcile.js';
import { moveTrial } from '../../src/services/trial-transitions.js';
import { csvFile, fashionSample } from '../fixtures/dataset-files.js';
import { microSearch } from '../fixtures/micro-search.js';
import { healthDuring } from '../helpers/event-loop-stall.js';
import { uploadAndWait } from '../helpers/dataset-upload.js';
import { listen, startHarness, waitFor, type Harness } from '../helpers/harness.js';

let h: Harness;
let baseUrl: string;
beforeAll(async () => { h = await startHarness('sqlite', { MAX_EPOCHS: '6' }); baseUrl = await listen(h); });
afterAll(async () => { await h?.close(); }, 60_000);

const retrain = (id: string, body: unknown) => h.request.post(`/searches/${id}/retrain`).send(body as object);

async function createSearch(epochs = 2, maxTrials = 2, dataset?: { id: string; limit: number }, maxRetrains?: number) {
  const budget = { maxTrials, maxParallelTrials: 1, ...(maxRetrains !== undefined && { maxRetrains }) };
  const { body } = await h.request.post('/searches').send(microSearch({ budget, training: { epochs, batchSize: 32, validationSplit: 0.25 }, ...(dataset && { dataset }) })).expect(201);
  return body.id as string;
}

/**
 * A finished search with a best trial that has a model, recorded through the store as the
 * scheduler and runner would, without training (for the cases that need no worker).
 */
async function finishedSearch(status: 'completed' | 'cancelled', dataset?: { id: string; limit: number }, maxRetrains?: number) {
  const id = await createSearch(2, 1, dataset, maxRetrains);
  const [t] = await h.core.store.listTrials(id);
  await moveTrial(h.core.store, t.id, 'running', { attempts: 1, startedAt: new Date() });
  const model = await h.core.store.saveModel({
    id: `m-${t.id}`, searchId: id, trialId: t.id,
    summary: { inputShape: [28, 28, 1], layers: [], totalParams: 0, trainableParams: 0, nonTrainableParams: 0, optimizer: { type: 'adam', learningRate: 0.01, momentum: 0 }, loss: 'sparseCategoricalCrossentropy', hyperparameters: t.hyperparameters, metrics: { valAccuracy: 0.5, bestEpoch: 2, epochs: 2 }, dataset: { id: 'fashion-mnist', labels: [], pixelMax: 255 } },
    artifact: { modelTopology: {}, weightSpecs: [], weightData: new Uint8Array(0) },
  });
  await moveTrial(h.core.store, t.id, 'completed', { valAccuracy: 0.5, value: 0.5, finishedAt: new Date() });
  const s = (await h.core.store.getSearch(id))!;
  expect(await h.core.store.commitSchedule(id, s.version, { status, bestTrialId: t.id, bestModelId: model.id, finishedAt: new Date() }, [])).toBe(true);
  return { id, best: t, modelId: model.id };
}

describe('POST /searches/:id/retrain refusals', () => {
  it('404 for an unknown search', async () => {
    expect((await retrain('no-such-search', { epochs: 3 })).status).toBe(404);
  });

  it('400 naming epochs for a bad body', async () => {
    const { id } = await finishedSearch('completed');
    for (const body of [{}, { epochs: 0 }, { epochs: 2.5 }, { epochs: '3' }]) {
      const res = await retrain(id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.field, JSON.stringify(body)).toBe('epochs');
    }
    expect((await retrain(id, { epochs: 3, lr: 1 }).expect(400)).body.error.details.reason).toBe("unknown field 'lr'");
    expect(await h.core.store.listTrials(id)).toHaveLength(1);
  });

  it('409 while the search has no best trial', async () => {
    const id = await createSearch(); // no worker: its first trial waits
    const res = await retrain(id, { epochs: 3 });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/no best trial/);
  });

  it('400 naming epochs when they do not go past the best trial, or past MAX_EPOCHS', async () => {
    const { id } = await finishedSearch('completed');
    const same = (await retrain(id, { epochs: 2 }).expect(400)).body.error;
    expect(same.details.field).toBe('epochs');
    expect(same.message).toMatch(/at least 3/);
    const over = (await retrain(id, { epochs: 7 }).expect(400)).body.error;
    expect(over.details.field).toBe('epochs');
    expect(over.message).toMatch(/at most 6/);
    expect(await h.core.store.listTrials(id)).toHaveLength(1);
  });
});

describe('retrain trials outside the search lifecycle', () => {
  it('409 on a cancelled search: its cancel would stop the retrain', async () => {
    const { id } = await finishedSearch('cancelled');
    expect((await retrain(id, { epochs: 4 }).expect(409)).body.error.message).toMatch(/cancelled/);
  });

  it('409 when the dataset the search trained on was deleted; a running retrain keeps its dataset from deletion', async () => {
    const upload = async () => (await uploadAndWait(h, h.request.post('/datasets').field('name', 'retrain-data').field('format', 'csv')
      .attach('file', csvFile(fashionSample(40), 40), 'file.csv'))).id;
    const gone = await upload();
    const { id } = await finishedSearch('completed', { id: gone, limit: 40 });
    await h.request.delete(`/datasets/${gone}`).expect(204); // the search is over and nothing retrains it
    expect((await retrain(id, { epochs: 4 }).expect(409)).body.error.message).toMatch(new RegExp(`dataset '${gone}'.*was deleted`));

    const kept = await upload();
    const other = await finishedSearch('completed', { id: kept, limit: 40 });
    // A retrain recorded as running (with a fresh heartbeat) but never enqueued: no worker or
    // reconcile pass can end it under the test.
    const s = (await h.core.store.getSearch(other.id))!;
    const retrainId = `${other.id}-retrain`;
    expect(await h.core.store.commitSchedule(other.id, s.version, {}, [{ id: retrainId, number: 2, hyperparameters: other.best.hyperparameters, source: 'retrain', parentTrialId: other.best.id, initialEpoch: 2, targetEpochs: 4 }])).toBe(true);
    expect(await moveTrial(h.core.store, retrainId, 'running', { attempts: 1, startedAt: new Date(), heartbeatAt: new Date() })).toBeTruthy();
    expect((await h.request.delete(`/datasets/${kept}`).expect(409)).body.error.message).toMatch(new RegExp(`${other.id} still training`));
  });

  it('on a completed search: no cancel reaches them, and reconcile re-enqueues them', async () => {
    const { id, best } = await finishedSearch('completed');
    const { body: trial } = await retrain(id, { epochs: 4 }).expect(202);
    expect(trial).toMatchObject({ number: 2, status: 'waiting', source: 'retrain', parentTrialId: best.id, initialEpoch: 2, targetEpochs: 4, hyperparameters: best.hyperparameters });
    expect((await h.core.queue.inspect(trial.id))?.state).toBe('waiting');
    await h.request.post(`/searches/${id}/cancel`).expect(409);
    expect((await h.core.store.getTrial(trial.id))?.status).toBe('waiting');
    // Redis lost the job (a restart without persistence): reconcile gives it back, it does not cancel it.
    await h.core.queue.queue.remove(trial.id);
    expect(await h.core.queue.inspect(trial.id)).toBeNull();
    await reconcile(h.core.store, h.core.queue, h.core.scheduler, createLogger('silent', 'test'));
    expect((await h.core.queue.inspect(trial.id))?.state).toBe('waiting');
    expect((await h.core.store.getTrial(trial.id))?.status).toBe('waiting');
    expect((await h.core.store.getSearch(id))?.status).toBe('completed');
    // Nothing may pick it up in the end-to-end test below (it has no real parent model).
    await moveTrial(h.core.store, trial.id, 'cancelled', { finishedAt: new Date() });
    await h.core.queue.removeIfIdle(trial.id);
  });
});

/** Nothing may pick the retrains of these tests up in the end-to-end test below (they have no real parent model). */
async function cancelRetrains(id: string) {
  for (const t of await h.core.store.listTrials(id)) {
    if (t.source !== 'retrain' || t.status !== 'waiting') continue;
    await moveTrial(h.core.store, t.id, 'cancelled', { finishedAt: new Date() });
    await h.core.queue.removeIfIdle(t.id);
  }
}

describe('budget.maxRetrains', () => {
  const postRetrain = (id: string, epochs: number) => fetch(`${baseUrl}/searches/${id}/retrain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ epochs }) })
    .then(async (r) => ({ status: r.status, body: await r.json() }));

  it('five retrains of a search with the default budget: three 202s, then 409s naming budget.maxRetrains; /health stays fast', async () => {
    // Prisma plans each query shape on its first use in a process (100-200 ms once): not what this measures.
    const warm = await finishedSearch('completed');
    await retrain(warm.id, { epochs: 3 }).expect(202);
    await cancelRetrains(warm.id);

    const { id } = await finishedSearch('completed');
    const { result, maxHealthMs, probes } = await healthDuring(baseUrl, async () => {
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await postRetrain(id, 6));
      return answers;
    });
    console.info(`retrain budget: ${result.map((r) => r.status).join(', ')}; /health at most ${maxHealthMs.toFixed(1)} ms over ${probes} probes`);
    expect(result.map((r) => r.status)).toEqual([202, 202, 202, 409, 409]);
    for (const r of result.slice(3)) expect(r.body.error.message).toMatch(/budget\.maxRetrains \(3\) is used up: search '.*' has had 3 retrain\(s\)/);
    expect((await h.core.store.listTrials(id)).filter((t) => t.source === 'retrain')).toHaveLength(3);
    expect(probes).toBeGreaterThan(0);
    expect(maxHealthMs).toBeLessThan(250);
    await cancelRetrains(id);
    // A cancelled or failed retrain still counts: it was granted.
    expect((await retrain(id, { epochs: 3 }).expect(409)).body.error.message).toMatch(/maxRetrains/);
  });

  it('grants no more than the budget to retrains sent at once', async () => {
    const { id } = await finishedSearch('completed');
    const answers = await Promise.all(Array.from({ length: 5 }, () => postRetrain(id, 6)));
    expect(answers.map((r) => r.status).sort()).toEqual([202, 202, 202, 409, 409]);
    expect((await h.core.store.listTrials(id)).filter((t) => t.source === 'retrain')).toHaveLength(3);
    await cancelRetrains(id);
  });

  it('takes budget.maxRetrains from the request: 0 allows none, 1 allows one', async () => {
    const none = await finishedSearch('completed', undefined, 0);
    expect((await retrain(none.id, { epochs: 3 }).expect(409)).body.error.message).toMatch(/budget\.maxRetrains \(0\) is used up/);
    const one = await finishedSearch('completed', undefined, 1);
    await retrain(one.id, { epochs: 3 }).expect(202);
    await retrain(one.id, { epochs: 4 }).expect(409);
    await cancelRetrains(one.id);
  });

  it('400 naming budget.maxRetrains for a value out of range', async () => {
    for (const maxRetrains of [-1, 1.5, h.config.limits.maxTrialsPerSearch + 1]) {
      const res = await h.request.post('/searches').send(microSearch({ budget: { maxRetrains } }));
      expect(res.status, String(maxRetrains)).toBe(400);
      expect(res.body.error.details.field, String(maxRetrains)).toBe('budget.maxRetrains');
    }
  });
});

describe('retrain end to end', () => {
  it('trains the best model on from its last epoch and records where the new model came from', async () => {
    const id = await createSearch(2, 1);
    // The searches of the tests above must not compete for the worker.
    for (const s of await h.core.store.listSearches()) if (s.id !== id && s.status === 'queued') await h.core.searches.cancel(s.id);
    await h.startWorker();
    const done = await waitFor(async () => (await h.request.get(`/searches/${id}`)).body, (s) => s.status !== 'queued' && s.status !== 'running', 300_000, 'the search');
    expect(done.status).toBe('completed');
    const best = (await h.core.store.getTrial(done.bestTrial.id))!;

    const { body: trial } = await retrain(id, { epochs: 4 }).expect(202);
    expect(trial).toMatchObject({
      number: 2, source: 'retrain', parentTrialId: best.id, initialEpoch: 2, targetEpochs: 4, hyperparameters: best.hyperparameters,
    });
    const { trials } = await waitFor(async () => (await h.request.get(`/searches/${id}/trials`)).body,
      (b) => ['completed', 'failed', 'cancelled'].includes(b.trials.find((t: { id: string }) => t.id === trial.id)?.status), 240_000, 'the retrain');
    const retrained = trials.find((t: { id: string }) => t.id === trial.id);
    expect(retrained).toMatchObject({ status: 'completed', attempts: 1, error: null });
    // Epochs numbered on from the best trial's: 3 and 4, as Keras' initial_epoch=2 would.
    expect(retrained.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([3, 4]);

    const model = (await h.request.get(`/models/${retrained.modelId}`).expect(200)).body;
    expect(model.trialId).toBe(trial.id);
    expect(model.parentModelId).toBe(best.modelId);
    expect(model.lineage).toEqual([{ modelId: best.modelId, trialId: best.id, epochs: 2, value: best.value }]);
    expect((await h.request.get(`/models/${best.modelId}`).expect(200)).body).toMatchObject({ parentModelId: null, lineage: [] });

    // The search itself is unchanged: still completed, same best (retrains compete with nothing).
    const after = (await h.request.get(`/searches/${id}`)).body;
    expect(after).toMatchObject({ status: 'completed', bestModelId: done.bestModelId });
    expect(after.bestTrial.id).toBe(best.id);
  }, 600_000);
});
