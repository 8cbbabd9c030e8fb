// SIGTERM on a worker mid-trial, on real processes: the worker takes no new jobs, its trial stops
// at the next epoch boundary, checkpoints and is handed back (waiting, no attempt counted), and the
// process exits; past SHUTDOWN_GRACE_MS the child is killed and the trial retried as a crash.
import { afterEach, describe, expect, it } from 'vitest';
import { tinySearch } from '../fixtures/reference-search.js';
import { waitFor } from '../helpers/harness.js';
import { epochNumbers, range, startCluster, trialChildOf, type Cluster } from './processes.js';

let c: Cluster | undefined;
afterEach(async () => { await c?.close(); c = undefined; });

const EPOCHS = 4;

describe('graceful shutdown', () => {
  it('hands the trial back at an epoch boundary; past the grace period kills it; a later worker finishes it once', async () => {
    c = await startCluster();
    const cl = c;
    const s = await cl.core.searches.create(tinySearch({
      dataset: { id: 'fashion-mnist', limit: 3000 },
      training: { epochs: EPOCHS, batchSize: 16, validationSplit: 0.1 },
      budget: { maxTrials: 1, maxParallelTrials: 1 },
    }));
    const trial = async () => (await cl.trials(s.id))[0];

    // 1. SIGTERM with a generous grace period: handed back after the epoch in progress.
    const w1 = cl.start('workers/trial-worker.ts');
    await waitFor(trial, (t) => t?.status === 'running' && trialChildOf(w1.proc.pid!) !== null, 120_000, 'the trial to start');
    const signalled = Date.now();
    w1.proc.kill('SIGTERM');
    expect(await w1.exited).toBe(0);
    const exitedAfter = Date.now() - signalled;
    const handedBack = await trial();
    expect(handedBack).toMatchObject({ status: 'waiting', attempts: 0 }); // the interrupted run is not counted
    expect(handedBack.epochs.length).toBeGreaterThanOrEqual(1);
    expect((await cl.core.store.getCheckpoint(handedBack.id))?.epoch).toBe(handedBack.epochs.length);
    expect((await cl.core.queue.inspect(handedBack.id))?.state).toBe('waiting');
    expect(exitedAfter).toBeLessThan(30_000);

    // 2. SIGTERM with no grace: the child is killed at once and the trial retried as after a crash.
    const w2 = cl.start('workers/trial-worker.ts', { SHUTDOWN_GRACE_MS: '0' });
    await waitFor(trial, (t) => t.status === 'running' && trialChildOf(w2.proc.pid!) !== null, 120_000, 'the trial to restart');
    const start2 = Date.now();
    w2.proc.kill('SIGTERM');
    expect(await w2.exited).toBe(0);
    expect(Date.now() - start2).toBeLessThan(10_000);
    expect(await trial()).toMatchObject({ status: 'running', attempts: 1 });

    // 3. Another worker resumes it from the last checkpoint and completes it once.
    cl.start('workers/trial-worker.ts');
    const done = await waitFor(trial, (t) => t.status === 'completed', 180_000, 'the trial to complete');
    expect(epochNumbers(done)).toEqual(range(EPOCHS));
    expect(done.epochs[0].loss).toBe(handedBack.epochs[0].loss); // not trained again
    expect(done.attempts).toBe(2); // the killed run counts, the handed-back one does not
    await waitFor(() => cl.core.store.getSearch(s.id), (x) => x?.status === 'completed', 30_000, 'the search to complete');
  }, 400_000);
});
