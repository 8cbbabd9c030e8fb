// Heartbeat recovery by reconcile, against the real Redis and a real database: a running trial
// whose heartbeat is stale and whose job no worker holds is re-enqueued (or failed when out of
// attempts), never left running; one whose job a live worker holds is left alone, however old
// its heartbeat (so a restarting API or worker never starts a second run of it).
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { redisConnection, TRIAL_QUEUE } from '../../src/queue/trial-queue.js';
import { reconcile } from '../../src/services/reconcile.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { startHarness, waitFor, type Harness } from '../helpers/harness.js';

let h: Harness;
const log = createLogger('silent', 'test');
const STALE_MS = 1000;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

/** A trial of a new search, as a worker that has since died left it: running, last heartbeat long ago. */
async function abandonedTrial(attempts: number, maxRetriesPerTrial = 2) {
  const search = await h.core.searches.create(tinySearch({ budget: { maxTrials: 1, maxParallelTrials: 1, maxRetriesPerTrial } }));
  const [trial] = await h.core.store.listTrials(search.id);
  const old = new Date(Date.now() - 10 * STALE_MS);
  await h.core.store.updateTrialIf(trial.id, ['waiting'], { status: 'running', attempts, startedAt: old, heartbeatAt: old });
  return trial;
}

describe('heartbeat recovery', () => {
  it('re-enqueues a stale running trial whose job is gone, keeping its attempt count', async () => {
    const trial = await abandonedTrial(1);
    await (await h.core.queue.queue.getJob(trial.id))!.remove(); // e.g. Redis restarted, worker gone
    await reconcile(h.core.store, h.core.queue, h.core.scheduler, log, { trialStaleMs: STALE_MS });
    expect(await h.core.store.getTrial(trial.id)).toMatchObject({ status: 'waiting', attempts: 1, heartbeatAt: null });
    expect(await h.core.queue.inspect(trial.id)).toMatchObject({ state: 'waiting' });
    expect((await h.core.queue.queue.getJob(trial.id))!.opts.attempts).toBe(3); // budget.maxRetriesPerTrial + 1
  });

  it('fails a stale trial that has used all its attempts, with the reason', async () => {
    const trial = await abandonedTrial(1, 0);
    await (await h.core.queue.queue.getJob(trial.id))!.remove();
    await reconcile(h.core.store, h.core.queue, h.core.scheduler, log, { trialStaleMs: STALE_MS });
    const after = await h.core.store.getTrial(trial.id);
    expect(after?.status).toBe('failed');
    expect(after?.error).toMatch(/lost its worker \(no heartbeat for \d+s\) after 1 of 1 attempt/);
  });

  it('leaves a trial alone while a live worker holds its job, however old its heartbeat', async () => {
    await h.core.queue.queue.drain(); // earlier tests' jobs would be taken first
    const trial = await abandonedTrial(1);
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const worker = new Worker(TRIAL_QUEUE, async () => held, { connection: redisConnection(h.config.redisUrl), prefix: h.config.queuePrefix, lockDuration: 5000 });
    try {
      await waitFor(() => h.core.queue.isHeld(trial.id), (v) => v, 10_000, 'the job to be taken');
      await reconcile(h.core.store, h.core.queue, h.core.scheduler, log, { trialStaleMs: STALE_MS });
      expect(await h.core.store.getTrial(trial.id)).toMatchObject({ status: 'running', attempts: 1 });
      expect(await h.core.queue.inspect(trial.id)).toMatchObject({ state: 'active' });
    } finally {
      release();
      await worker.close();
    }
  });

  it('leaves a running trial with a fresh heartbeat alone even when Redis lost its job', async () => {
    const trial = await abandonedTrial(1);
    await h.core.store.updateTrialIf(trial.id, ['running'], { heartbeatAt: new Date() });
    await (await h.core.queue.queue.getJob(trial.id))!.remove();
    await reconcile(h.core.store, h.core.queue, h.core.scheduler, log, { trialStaleMs: 60_000 });
    expect(await h.core.store.getTrial(trial.id)).toMatchObject({ status: 'running', attempts: 1 });
    expect(await h.core.queue.inspect(trial.id)).toBeNull();
  });
});
