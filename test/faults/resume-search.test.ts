// A hyperband search survives the death of every process at once: the API and the worker (with its
// trial children) are killed with SIGKILL in the middle of the search, started again, and the
// search completes with exactly the trials its schedule has, none lost, none run twice, each epoch
// recorded once. Everything it needs to go on is in the database: the trial history the promoter
// reads, the checkpoints the interrupted trials resume from.
import { afterEach, describe, expect, it } from 'vitest';
import { trialEpochs } from '../../src/domain/schedule.js';
import type { TrialWithEpochs } from '../../src/ports/search-store.js';
import { microHyperband } from '../fixtures/micro-search.js';
import { waitFor } from '../helpers/harness.js';
import { checkBest, checkHyperband } from '../helpers/multi-fidelity-checks.js';
import { freePort } from '../support/ports.js';
import { descendants, killPid } from '../support/process-tree.js';
import { startCluster, type Cluster, type Proc } from './processes.js';

let c: Cluster | undefined;
afterEach(async () => { await c?.close(); c = undefined; }, 60_000);

async function killAll(procs: Proc[]): Promise<void> {
  const pids = procs.flatMap((p) => [...descendants(p.proc.pid!), p.proc.pid!]);
  for (const pid of pids) killPid(pid);
  await Promise.all(procs.map((p) => p.exited));
}

describe('resuming a multi-fidelity search', () => {
  it('completes a hyperband search after every process is killed mid-search', async () => {
    const apiPort = String(await freePort());
    c = await startCluster({ WORKER_CONCURRENCY: '2' });
    const cl = c;
    const base = `http://127.0.0.1:${apiPort}`;
    const startAll = () => [cl.start('src/server.ts', { PORT: apiPort }), cl.start('workers/trial-worker.ts')];
    const apiUp = () => waitFor(() => fetch(`${base}/searches`).then((r) => r.status, () => 0), (s) => s === 200, 120_000, 'the API');

    let procs = startAll();
    await apiUp();
    const res = await fetch(`${base}/searches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(microHyperband()) });
    expect(res.status).toBe(201);
    const { id } = await res.json() as { id: string };
    const trials = () => cl.trials(id);
    const spec = (await cl.core.store.getSearch(id))!.spec;
    // Mid-search: a trial has completed, and another has trained some of its epochs but not all.
    const partway = (t: TrialWithEpochs) => t.status === 'running' && t.epochs.length >= 1 && t.epochs.length < trialEpochs(spec, t) - t.initialEpoch;
    await waitFor(trials, (ts) => ts.some((t) => t.status === 'completed') && ts.some(partway), 600_000, 'a trial partway through');
    await killAll(procs);
    const atKill = new Map((await trials()).map((t) => [t.id, t]));
    expect([...atKill.values()].some((t) => t.status === 'running')).toBe(true);

    procs = startAll();
    const search = await waitFor(() => cl.core.store.getSearch(id), (s) => s?.status !== 'queued' && s?.status !== 'running', 900_000, 'the search to end');
    const after = await trials();
    checkHyperband(search!.spec, after); // exactly the scheduled trials, each epoch once, promotions sound
    checkBest(search!.spec, search!, after);
    for (const t of after) {
      const then = atKill.get(t.id);
      if (then?.status === 'completed') {
        // Finished before the kill: never run again.
        expect(t.attempts, `trial ${t.number}`).toBe(1);
        expect(t.finishedAt, `trial ${t.number}`).toEqual(then.finishedAt);
        expect(t.modelId, `trial ${t.number}`).toBe(then.modelId);
      } else if (then?.status === 'running') {
        // Killed once, resumed once; the epochs it had recorded were kept, not trained again.
        expect(t.attempts, `trial ${t.number}`).toBe(2);
        expect(t.epochs.slice(0, then.epochs.length).map((e) => e.epoch)).toEqual(then.epochs.map((e) => e.epoch));
      } else {
        expect(t.attempts, `trial ${t.number}`).toBe(1);
      }
    }
    await killAll(procs);
  }, 1_500_000);
});
