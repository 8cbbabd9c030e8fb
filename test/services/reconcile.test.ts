// Start-up reconciliation against the real Redis and database: the record wins over the work list.
import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { redisConnection, TRIAL_QUEUE } from '../../src/queue/trial-queue.js';
import { reconcile } from '../../src/services/reconcile.js';
import { referenceSearch } from '../fixtures/reference-search.js';
import { startHarness, waitFor, type Harness } from '../helpers/harness.js';

let h: Harness;
const log = createLogger('silent', 'test');
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

describe('reconcile', () => {
  it('re-enqueues a waiting trial whose job Redis lost, under the same job id, once', async () => {
    const search = await h.core.searches.create(referenceSearch());
    const [trial] = await h.core.store.listTrials(search.id);
    await (await h.core.queue.queue.getJob(trial.id))!.remove(); // as if Redis restarted without persistence
    expect(await h.core.queue.inspect(trial.id)).toBeNull();
    await reconcile(h.core.store, h.core.queue, h.core.scheduler, log);
    await reconcile(h.core.store, h.core.queue, h.core.scheduler, log);
    expect(await h.core.queue.inspect(trial.id)).toMatchObject({ state: 'waiting' });
    expect(await h.core.store.listTrials(search.id)).toHaveLength(1); // no extra trial
  });

  it('fails a trial whose job failed for good while nobody recorded it', async () => {
    const search = await h.core.searches.create(referenceSearch());
    const [trial] = await h.core.store.listTrials(search.id);
    const worker = new Worker(TRIAL_QUEUE, async () => { throw new UnrecoverableError('worker lost'); },
      { connection: redisConnection(h.config.redisUrl), prefix: h.config.queuePrefix });
    await waitFor(async () => (await h.core.queue.inspect(trial.id))?.state, (s) => s === 'failed', 10_000, 'the job to fail');
    await worker.close();
    await reconcile(h.core.store, h.core.queue, h.core.scheduler, log);
    const after = await h.core.store.getTrial(trial.id);
    expect(after).toMatchObject({ status: 'failed', error: 'trial job failed: worker lost' });
  });
});
