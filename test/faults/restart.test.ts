// Restarts mid-search on real processes: the API (kill -9, started again), a private
// non-persistent Redis (killed and restarted empty: every job gone) and the worker (kill -9, a new
// one started). Reconciliation rebuilds the work list from the database, and the search ends with
// exactly maxTrials trials, each completed once with each epoch once.
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { tinySearch } from '../fixtures/reference-search.js';
import { waitFor } from '../helpers/harness.js';
import { freePort } from '../support/ports.js';
import { epochNumbers, range, startCluster, startRedis, trialChildOf, type Cluster } from './processes.js';

let c: Cluster | undefined;
let redis: ChildProcess | undefined;
afterEach(async () => {
  await c?.close();
  redis?.kill('SIGKILL');
  c = undefined;
});

const TRIALS = 3;
const EPOCHS = 2;

describe('restarts mid-search', () => {
  it('survives restarts of the API, of Redis (all jobs lost) and of the worker', async () => {
    const redisPort = await freePort();
    redis = startRedis(redisPort);
    const apiPort = String(await freePort());
    c = await startCluster({ REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    const cl = c;
    const api = () => cl.start('src/server.ts', { PORT: apiPort });
    const base = `http://127.0.0.1:${apiPort}`;
    const apiUp = () => waitFor(() => fetch(`${base}/searches`).then((r) => r.status, () => 0), (s) => s === 200, 60_000, 'the API');

    let apiProc = api();
    let worker = cl.start('workers/trial-worker.ts');
    await apiUp();
    const res = await fetch(`${base}/searches`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(tinySearch({ training: { epochs: EPOCHS, batchSize: 16, validationSplit: 0.1 }, budget: { maxTrials: TRIALS, maxParallelTrials: 1 } })),
    });
    expect(res.status).toBe(201);
    const { id } = await res.json() as { id: string };
    const trials = () => cl.trials(id);
    const running = (n: number) => waitFor(trials, (ts) => ts.find((t) => t.number === n)?.status === 'running' && trialChildOf(worker.proc.pid!) !== null, 180_000, `trial ${n} running`);

    // The API dies and comes back while trial 1 runs: its start-up reconcile must not steal it.
    await running(1);
    apiProc.proc.kill('SIGKILL');
    await apiProc.exited;
    apiProc = api();
    await apiUp();

    // Redis dies and comes back empty while trial 2 runs (its worker and child live on).
    await running(2);
    redis.kill('SIGKILL');
    await new Promise((r) => redis!.once('exit', r));
    redis = startRedis(redisPort);

    // The worker dies while trial 3 runs; a new one takes over.
    await running(3);
    worker.proc.kill('SIGKILL');
    await worker.exited;
    worker = cl.start('workers/trial-worker.ts');

    const search = await waitFor(() => cl.core.store.getSearch(id), (s) => s?.status !== 'queued' && s?.status !== 'running', 300_000, 'the search to end');
    expect(search?.status).toBe('completed');
    const all = await trials();
    expect(all.map((t) => t.number)).toEqual(range(TRIALS)); // exactly maxTrials, none duplicated
    expect(all[0].attempts).toBe(1); // the API restart did not start a second run of trial 1
    for (const t of all) {
      expect(t.status).toBe('completed');
      expect(epochNumbers(t)).toEqual(range(EPOCHS));
    }
  }, 500_000);
});
