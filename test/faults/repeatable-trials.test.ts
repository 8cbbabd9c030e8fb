// A search's seed makes its trials repeatable through the whole service (API core, queue, worker,
// trial child, database): two searches with the same seed train the same configuration to the same
// per-epoch metrics, and a trial whose process is killed mid-epoch and resumed from its checkpoint
// ends with exactly the metrics of an uninterrupted one. Real processes, wasm at one thread.
import { afterEach, describe, expect, it } from 'vitest';
import type { TrialWithEpochs } from '../../src/ports/search-store.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { waitFor } from '../helpers/harness.js';
import { killPid } from '../support/process-tree.js';
import { epochNumbers, range, startCluster, trialChildOf, type Cluster } from './processes.js';

let c: Cluster | undefined;
afterEach(async () => { await c?.close(); c = undefined; });

const EPOCHS = 3;
const search = () => tinySearch({
  algorithm: { name: 'random', seed: 20261204 },
  dataset: { id: 'fashion-mnist', limit: 1500 },
  training: { epochs: EPOCHS, batchSize: 16, validationSplit: 0.2 },
  budget: { maxTrials: 1, maxParallelTrials: 1 },
});

async function trialOf(cl: Cluster, searchId: string): Promise<TrialWithEpochs> {
  const s = await waitFor(() => cl.core.store.getSearch(searchId), (x) => x?.status === 'completed' || x?.status === 'failed', 180_000, 'the search to end');
  expect(s?.status).toBe('completed');
  const [t] = await cl.trials(searchId);
  expect(t).toMatchObject({ status: 'completed', error: null });
  expect(epochNumbers(t)).toEqual(range(EPOCHS));
  return t;
}

/** Everything an epoch reports but its duration, and what the trial ended with. */
const outcome = (t: TrialWithEpochs) => ({
  hyperparameters: t.hyperparameters, value: t.value, valAccuracy: t.valAccuracy,
  epochs: t.epochs.map(({ durationMs: _, trialId: __, ...m }) => m),
});

describe('a seeded search through the service', () => {
  it('repeats its trial exactly in a second search, and after a kill -9 mid-epoch and a resume', async () => {
    c = await startCluster();
    const w = c.start('workers/trial-worker.ts');
    const first = await trialOf(c, (await c.core.searches.create(search())).id);
    expect(first.attempts).toBe(1);
    const second = await trialOf(c, (await c.core.searches.create(search())).id);
    expect(outcome(second)).toEqual(outcome(first));

    // The third is killed once its first epoch's checkpoint is stored: during epoch 2.
    const killed = await c.core.searches.create(search());
    const [t] = await waitFor(() => c!.trials(killed.id), (ts) => ts[0]?.epochs.length >= 1, 120_000, 'a first epoch');
    await waitFor(() => c!.core.store.getCheckpoint(t.id), (cp) => cp !== null, 30_000, 'a checkpoint');
    const child = trialChildOf(w.proc.pid!);
    expect(child).not.toBeNull();
    killPid(child!);
    const resumed = await trialOf(c, killed.id);
    expect(resumed.attempts).toBe(2);
    expect(outcome(resumed)).toEqual(outcome(first));
  }, 400_000);
});
