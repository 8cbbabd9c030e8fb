// The epochs-and-checkpoints store on every backend: idempotent epochs per execution, one
// checkpoint per trial, and the raw rows GET /metrics aggregates.
import { expect, it } from 'vitest';
import { driverConnectionName } from '../../src/store/driver-connection.js';
import { createPrismaClient } from '../../src/store/prisma-client.js';
import { describeBackends, epoch, spec, trial } from './backends.js';

describeBackends('epoch store', ({ backend, open, seeded }) => {
  it('recordEpoch is idempotent per (trial, epoch); deleteEpochs clears them', async () => {
    const store = await seeded();
    await store.recordEpoch(epoch('t0', 0, 0.9));
    await store.recordEpoch(epoch('t0', 0, 0.7)); // replayed by a retried job
    const [t] = await store.listTrialsWithEpochs('s');
    expect(t.epochs).toEqual([epoch('t0', 0, 0.7)]);
    await store.deleteEpochs('t0');
    expect((await store.listTrialsWithEpochs('s'))[0].epochs).toEqual([]);
  });

  it('keeps executions apart: same epoch numbers, one row each; deleteEpochs keeps earlier executions', async () => {
    const store = await seeded();
    for (const ex of [0, 1]) for (const n of [1, 2]) await store.recordEpoch(epoch('t0', n, 0.5 + ex, ex));
    expect((await store.listEpochs('t0')).map((e) => [e.execution, e.epoch])).toEqual([[0, 1], [0, 2], [1, 1], [1, 2]]);
    // A retry of execution 1 that resumes after its epoch 1: execution 0 and 1's epoch 1 stay.
    await store.deleteEpochs('t0', 1, 1);
    expect((await store.listEpochs('t0')).map((e) => [e.execution, e.epoch])).toEqual([[0, 1], [0, 2], [1, 1]]);
    // Resuming execution 0 after epoch 1 drops its later epochs and every later execution.
    await store.deleteEpochs('t0', 1, 0);
    expect((await store.listEpochs('t0')).map((e) => [e.execution, e.epoch])).toEqual([[0, 1]]);
  });
  it('keeps one checkpoint per trial: the latest epoch and execution replace the last, delete removes it', async () => {
    const store = await seeded();
    expect(await store.getCheckpoint('t0')).toBeNull();
    const specs = [{ name: 'w', shape: [3], dtype: 'float32' }];
    await store.saveCheckpoint({ trialId: 't0', epoch: 1, weightSpecs: specs, weightData: new Uint8Array([1, 2, 3]) });
    const first = await store.getCheckpoint('t0');
    expect({ ...first, weightData: [...first!.weightData] }).toEqual({ trialId: 't0', execution: 0, epoch: 1, weightSpecs: specs, weightData: [1, 2, 3] });

    await store.saveCheckpoint({ trialId: 't0', execution: 1, epoch: 2, weightSpecs: [], weightData: new Uint8Array([9]) });
    const second = await store.getCheckpoint('t0');
    expect({ ...second, weightData: [...second!.weightData] }).toEqual({ trialId: 't0', execution: 1, epoch: 2, weightSpecs: [], weightData: [9] });

    await store.deleteCheckpoint('t0');
    expect(await store.getCheckpoint('t0')).toBeNull();
    await store.deleteCheckpoint('t0'); // idempotent: a retried finish deletes again
  });

  // Checkpoints bypass Prisma (checkpoint-rows.ts): rows must stay what Prisma writes and reads.
  it('writes checkpoint rows Prisma reads back, reads rows Prisma wrote, and keeps the foreign key', async () => {
    const url = backend.newUrl();
    const store = await open(url);
    await store.createSearch({ id: 's', name: 'n', spec });
    await store.commitSchedule('s', 0, {}, [trial(0)]);
    const db = createPrismaClient(url);
    try {
      const specs = [{ name: 'model/0', shape: [25000], dtype: 'float32' }, { name: 'adam/accBeta1', shape: [], dtype: 'float32' }];
      const whole = Uint8Array.from({ length: 100_010 }, (_, i) => (i * 7919) % 251);
      const bytes = whole.subarray(3, 100_007); // a view into a larger buffer, as tfjs' encoded weights may be
      const before = Date.now();
      await store.saveCheckpoint({ trialId: 't0', execution: 2, epoch: 5, weightSpecs: specs, weightData: bytes });
      const row = await db.trialCheckpoint.findUniqueOrThrow({ where: { trialId: 't0' } });
      expect({ execution: row.execution, epoch: row.epoch, weightSpecs: row.weightSpecs }).toEqual({ execution: 2, epoch: 5, weightSpecs: specs });
      expect(Buffer.compare(Buffer.from(row.weightData), Buffer.from(bytes))).toBe(0);
      expect(row.updatedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(row.updatedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);

      await db.trialCheckpoint.update({ where: { trialId: 't0' }, data: { epoch: 6, weightSpecs: [], weightData: new Uint8Array([4, 5]) } });
      const read = await store.getCheckpoint('t0');
      expect({ ...read, weightData: [...read!.weightData] }).toEqual({ trialId: 't0', execution: 2, epoch: 6, weightSpecs: [], weightData: [4, 5] });

      await expect(store.saveCheckpoint({ trialId: 'no-such-trial', epoch: 1, weightSpecs: [], weightData: new Uint8Array([1]) })).rejects.toThrow(/foreign key/i);
    } finally {
      await db.$disconnect();
    }
  });

  it('saves the next checkpoint after the server dropped the checkpoint connection (PostgreSQL restarted)', async () => {
    if (backend.name !== 'PostgreSQL') return; // SQLite has no connection to lose
    const url = backend.newUrl();
    const store = await open(url);
    await store.createSearch({ id: 's', name: 'n', spec });
    await store.commitSchedule('s', 0, {}, [trial(0)]);
    await store.saveCheckpoint({ trialId: 't0', epoch: 1, weightSpecs: [], weightData: new Uint8Array([1]) });
    const name = driverConnectionName(new URL(url).searchParams.get('schema')!);
    const killed = await backend.query(url, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${name}'`);
    expect(killed).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 200)); // the idle connection's 'error' arrives meanwhile (unheard, it would end the process)
    await store.saveCheckpoint({ trialId: 't0', epoch: 2, weightSpecs: [], weightData: new Uint8Array([2]) });
    expect((await store.getCheckpoint('t0'))?.epoch).toBe(2);
  });

  it('gives GET /metrics its rows: epochs per trained trial, and a backend\'s most recently started trials with epochs', async () => {
    const store = await seeded([trial(0), trial(1), trial(2), trial(3)]);
    await store.updateTrialIf('t0', ['waiting'], { status: 'running', backend: 'wasm', startedAt: new Date(Date.now() - 60_000) });
    await store.updateTrialIf('t1', ['waiting'], { status: 'running', backend: 'wasm', startedAt: new Date() });
    await store.updateTrialIf('t2', ['waiting'], { status: 'running', backend: 'cpu', startedAt: new Date() }); // no epoch yet
    for (const n of [0, 1]) await store.recordEpoch(epoch('t0', n));
    await store.recordEpoch(epoch('t1', 0));
    await store.recordEpoch(epoch('t3', 0)); // never started: no backend
    const counts = (await store.epochCountsByTrial()).sort((a, b) => a.backend.localeCompare(b.backend) || a.epochs - b.epochs);
    expect(counts).toEqual([{ backend: 'cpu', epochs: 0 }, { backend: 'wasm', epochs: 1 }, { backend: 'wasm', epochs: 2 }]);
    const durations = async (backend: string, limit: number) =>
      (await store.recentTrainedTrials(backend, limit)).map((t) => { expect(t.spec).toEqual(spec); return [...t.epochDurationsMs].sort(); });
    expect(await durations('wasm', 1)).toEqual([[1000]]);
    expect(await durations('wasm', 5)).toEqual([[1000], [1000, 1001]]);
    expect(await durations('cpu', 5)).toEqual([]);
  });
});
