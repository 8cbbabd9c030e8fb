// kill -9 of a trial's child process and of its worker, mid-epoch, on real processes, Redis and
// SQLite: the trial is retried (BullMQ retry, or stalled-job recovery once the dead worker's lock
// expires), resumes after its last checkpointed epoch, and completes exactly once with each
// epoch recorded once. With no retries left it fails, and budget.maxFailedTrials fails the search.
import { afterEach, describe, expect, it } from 'vitest';
import { tinySearch } from '../fixtures/reference-search.js';
import { waitFor } from '../helpers/harness.js';
import { alive, killPid } from '../support/process-tree.js';
import { epochNumbers, range, startCluster, trialChildOf, type Cluster } from './processes.js';

let c: Cluster | undefined;
afterEach(async () => { await c?.close(); c = undefined; });

const EPOCHS = 3;
const search = (budget: Record<string, number> = {}) => tinySearch({
  dataset: { id: 'fashion-mnist', limit: 3000 },
  training: { epochs: EPOCHS, batchSize: 16, validationSplit: 0.1 },
  budget: { maxTrials: 1, maxParallelTrials: 1, ...budget },
});

/** Waits until epoch 1 and its checkpoint are stored; returns the trial as it was then. */
async function afterFirstEpoch(cl: Cluster, searchId: string) {
  const [t] = await waitFor(() => cl.trials(searchId), (ts) => ts[0]?.epochs.length >= 1, 120_000, 'a first epoch');
  await waitFor(() => cl.core.store.getCheckpoint(t.id), (cp) => cp !== null, 30_000, 'a checkpoint');
  return t;
}

async function finished(cl: Cluster, searchId: string) {
  const s = await waitFor(() => cl.core.store.getSearch(searchId), (x) => x?.status === 'completed' || x?.status === 'failed', 180_000, 'the search to end');
  return s!;
}

async function expectResumedOnce(cl: Cluster, searchId: string, epochOne: { loss: number }, attempts: number) {
  const [t] = await cl.trials(searchId);
  expect(t).toMatchObject({ status: 'completed', attempts, error: null });
  expect(epochNumbers(t)).toEqual(range(EPOCHS)); // each epoch once
  // Epoch 1 was not trained again: the retry resumed from the checkpoint after it.
  expect(t.epochs[0].loss).toBe(epochOne.loss);
  expect(t.modelId).toBeTruthy();
  expect(await cl.core.store.getCheckpoint(t.id)).toBeNull(); // dropped when the trial ended
}

describe('crashes mid-epoch', () => {
  it('kill -9 of the training child: retried, resumed from the checkpoint, completed once', async () => {
    c = await startCluster();
    const w = c.start('workers/trial-worker.ts');
    const s = await c.core.searches.create(search());
    const t = await afterFirstEpoch(c, s.id);
    const child = trialChildOf(w.proc.pid!);
    expect(child).not.toBeNull();
    killPid(child!);
    expect((await finished(c, s.id)).status).toBe('completed');
    await expectResumedOnce(c, s.id, t.epochs[0], 2);
  }, 300_000);

  it('kill -9 of the worker: another worker recovers the stalled job and resumes the trial', async () => {
    c = await startCluster();
    const workers = [c.start('workers/trial-worker.ts'), c.start('workers/trial-worker.ts')];
    const s = await c.core.searches.create(search());
    const t = await afterFirstEpoch(c, s.id);
    const running = workers.find((w) => trialChildOf(w.proc.pid!) !== null)!;
    const orphan = trialChildOf(running.proc.pid!)!;
    running.proc.kill('SIGKILL');
    // The orphaned child notices its parent is gone at its next heartbeat and exits.
    await waitFor(async () => alive(orphan), (a) => !a, 30_000, 'the orphaned trial process to exit');
    expect((await finished(c, s.id)).status).toBe('completed');
    await expectResumedOnce(c, s.id, t.epochs[0], 2);
  }, 300_000);

  it('with no retries left the trial fails with the reason, and maxFailedTrials fails the search', async () => {
    c = await startCluster();
    const w = c.start('workers/trial-worker.ts');
    const s = await c.core.searches.create(search({ maxTrials: 3, maxRetriesPerTrial: 0, maxFailedTrials: 1 }));
    await afterFirstEpoch(c, s.id);
    killPid(trialChildOf(w.proc.pid!)!);
    const ended = await finished(c, s.id);
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(/1 trial\(s\) failed, reaching budget\.maxFailedTrials \(1\)/);
    const trials = await c.trials(s.id);
    expect(trials).toHaveLength(1); // nothing scheduled after the failure
    expect(trials[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(trials[0].error).toMatch(/SIGKILL.*gave up after 1 attempt/);
  }, 300_000);
});
