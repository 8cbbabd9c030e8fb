// A per-trial cancel outlives the run it was meant for: a running trial whose worker died after
// the request is cancelled by reconcile instead of retried, and a retry of it (BullMQ redelivers
// the job of a crashed child) ends it cancelled before training. Real app, database, Redis and
// training engine; the run that got the request is simulated through the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinDatasets } from '../../src/datasets/builtin.js';
import { createLogger } from '../../src/logger.js';
import { reconcile } from '../../src/services/reconcile.js';
import { TrialRunner } from '../../src/services/trial-runner.js';
import { moveTrial } from '../../src/services/trial-transitions.js';
import { TfjsTrainingEngine } from '../../src/training/engine.js';
import { microSearch } from '../fixtures/micro-search.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const log = createLogger('silent', 'test');

describe('a cancel requested of a running trial whose run is gone', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('sqlite'); });
  afterAll(async () => { await h?.close(); }, 60_000);

  /** A trial recorded as running since `since` (its job gone, as after a lost worker), with a cancel requested through the API. */
  async function runningWithCancel(since: Date) {
    const search = await h.core.searches.create(microSearch());
    const [trial] = await h.core.store.listTrials(search.id);
    await h.core.queue.removeIfIdle(trial.id);
    expect(await moveTrial(h.core.store, trial.id, 'running', { attempts: 1, startedAt: since, heartbeatAt: since })).toBeTruthy();
    const { body } = await h.request.post(`/searches/${search.id}/trials/${trial.id}/cancel`).expect(202);
    expect(body).toMatchObject({ status: 'running', cancelRequested: true });
    return { searchId: search.id, trialId: trial.id };
  }

  it('reconcile ends it cancelled, not retried nor failed', async () => {
    const { trialId } = await runningWithCancel(new Date(Date.now() - 600_000));
    await reconcile(h.core.store, h.core.queue, h.core.scheduler, log, { trialStaleMs: 60_000 });
    const after = (await h.core.store.getTrial(trialId))!;
    expect(after).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(after.error).toMatch(/cancelled on request; its worker was lost/);
    expect(await h.core.queue.inspect(trialId)).toBeNull();
  });

  it('a retry of its job cancels it before training', async () => {
    const { trialId } = await runningWithCancel(new Date());
    const runner = new TrialRunner(h.core.store, new TfjsTrainingEngine('wasm', new BuiltinDatasets(h.config.datasetDir)), log);
    expect(await runner.run(trialId)).toBe('cancelled');
    const after = (await h.core.store.getTrial(trialId))!;
    expect(after).toMatchObject({ status: 'cancelled', attempts: 1, error: 'cancelled on request before it could run again' });
    expect(await h.core.store.listEpochs(trialId)).toEqual([]);
  });
});
