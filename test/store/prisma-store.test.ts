// One Store test suite, run against every backend (as Optuna's storage tests do): SQLite on a
// temp file, PostgreSQL in a fresh schema per test (DATABASE_URL_PG, dropped afterwards).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/domain/errors.js';
import type { ModelSummary } from '../../src/domain/model-summary.js';
import type { SearchSpec } from '../../src/domain/search-spec.js';
import { migrate, parseDatabaseUrl } from '../../src/store/migrate.js';
import { PrismaStore } from '../../src/store/prisma-store.js';
import type { NewTrial } from '../../src/store/store.js';
import { postgresAvailable } from '../helpers/postgres.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MIGRATIONS = join(ROOT, 'prisma', 'migrations');
const PG_URL = process.env.DATABASE_URL_PG ?? 'postgresql://postgres@127.0.0.1:5432/test';

interface Backend {
  /** A URL to a fresh, empty database. */
  newUrl(): string;
  /** Runs one statement with the plain driver (in the URL's schema); returns its rows. */
  query(url: string, sql: string): Promise<Record<string, unknown>[]>;
}

// The store is opaque to these types; any JSON object will do.
const spec = { name: 'exp', dataset: { id: 'fashion-mnist' }, nested: { list: [1, 2.5, 'x', true, null] } } as unknown as SearchSpec;
const summary = { totalParams: 1234, layers: [{ name: 'dense', outputShape: [null, 10] }] } as unknown as ModelSummary;
const trial = (n: number, id = `t${n}`): NewTrial => ({ id, number: n, hyperparameters: { units: 32 * (n + 1), lr: 1e-3, opt: 'adam', bn: n % 2 === 0 } });
const epoch = (trialId: string, n: number, loss = 1 / (n + 1), execution = 0) => ({ trialId, execution, epoch: n, loss, accuracy: 0.5, valLoss: loss * 1.1, valAccuracy: 0.4 + n / 100, durationMs: 1000 + n });
const migrationCount = () => readdirSync(join(MIGRATIONS, 'sqlite')).length;

/** Runs migrate() in a separate Node process, as a second API or worker process would. */
function migrateInChild(url: string): Promise<void> {
  const code = `const { migrate } = await import(${JSON.stringify(join(ROOT, 'src/store/migrate.ts'))}); await migrate(process.argv[1]);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, url], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (rc) => (rc === 0 ? resolve() : reject(new Error(`child migrate exited ${rc}: ${stderr}`))));
  });
}

/** Runs fn on a scratch copy of prisma/migrations, which it may extend or edit. */
async function withMigrationsCopy(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hypertune-migrations-'));
  cpSync(MIGRATIONS, dir, { recursive: true });
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function withPg<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2000 });
  await client.connect();
  return fn(client).finally(() => client.end());
}

function storeSuite(backend: Backend): void {
  const opened: PrismaStore[] = [];
  const open = async (url = backend.newUrl()) => {
    const store = await PrismaStore.open(url);
    opened.push(store);
    return store;
  };
  /** A store holding search 's' at version 1 with these trials. */
  const seeded = async (trials = [trial(0)]) => {
    const store = await open();
    await store.createSearch({ id: 's', name: 'n', spec });
    await store.commitSchedule('s', 0, {}, trials);
    return store;
  };
  afterEach(() => Promise.all(opened.splice(0).map((s) => s.close())).then(() => undefined));

  it('creates, gets and lists searches', async () => {
    const store = await open();
    const created = await store.createSearch({ id: 's1', name: 'first', spec });
    expect(created).toMatchObject({ id: 's1', name: 'first', status: 'queued', version: 0, error: null, bestTrialId: null, bestModelId: null, finishedAt: null });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(await store.getSearch('s1')).toEqual(created); // spec included, as JSON
    expect(await store.getSearch('nope')).toBeNull();
    await store.createSearch({ id: 's2', name: 'second', spec });
    expect((await store.listSearches()).map((s) => s.id).sort()).toEqual(['s1', 's2']);
  });

  it('keeps a search\'s tenant and lists one tenant\'s searches', async () => {
    const store = await open();
    await store.createSearch({ id: 'a1', name: 'n', spec, tenant: 'alpha' });
    await store.createSearch({ id: 'b1', name: 'n', spec, tenant: 'beta' });
    await store.createSearch({ id: 'x1', name: 'n', spec });
    expect((await store.getSearch('a1'))?.tenant).toBe('alpha');
    expect((await store.getSearch('x1'))?.tenant).toBeNull();
    expect((await store.listSearches({ tenant: 'beta' })).map((s) => s.id)).toEqual(['b1']);
    expect(await store.listSearches()).toHaveLength(3);
  });

  it('stores API keys by hash only, finds and revokes them', async () => {
    const keys = (await open()).apiKeys();
    const created = await keys.createApiKey({ id: 'k1', tenant: 't', name: 'laptop', keyHash: 'h1', prefix: 'htk_abc' });
    expect(created).toMatchObject({ id: 'k1', tenant: 't', name: 'laptop', prefix: 'htk_abc', revokedAt: null });
    expect(created).not.toHaveProperty('keyHash');
    expect((await keys.findApiKeyByHash('h1'))?.id).toBe('k1');
    expect(await keys.findApiKeyByHash('h2')).toBeNull();
    const at = new Date('2026-01-01T00:00:00Z');
    expect((await keys.revokeApiKey('k1', at))?.revokedAt).toEqual(at);
    expect((await keys.revokeApiKey('k1', new Date()))?.revokedAt).toEqual(at); // the first revocation stands
    expect(await keys.revokeApiKey('nope', at)).toBeNull();
    expect((await keys.listApiKeys()).map((k) => k.id)).toEqual(['k1']);
  });

  it('commitSchedule applies the patch and inserts trials at the expected version only', async () => {
    const store = await open();
    await store.createSearch({ id: 's', name: 'n', spec });
    expect(await store.commitSchedule('s', 0, { status: 'running' }, [trial(0), trial(1)])).toBe(true);
    const after = await store.getSearch('s');
    expect(after).toMatchObject({ status: 'running', version: 1 });

    // A stale version: nothing changes, nothing is inserted.
    const finishedAt = new Date();
    expect(await store.commitSchedule('s', 0, { status: 'completed', finishedAt }, [trial(2)])).toBe(false);
    expect(await store.getSearch('s')).toEqual(after);
    expect((await store.listTrials('s')).map((t) => t.id)).toEqual(['t0', 't1']);
    expect(await store.commitSchedule('missing', 0, {}, [trial(9)])).toBe(false);

    expect(await store.commitSchedule('s', 1, { status: 'completed', finishedAt, bestTrialId: 't1' }, [])).toBe(true);
    expect(await store.getSearch('s')).toMatchObject({ status: 'completed', version: 2, bestTrialId: 't1', finishedAt });
  });

  it('commitSchedule is atomic, and a rollback keeps concurrent writes', async () => {
    const store = await seeded();
    // Epochs written back to back while the doomed transaction is open must not be rolled back
    // with it (on SQLite they would share its connection unless the store serializes them).
    let done = false;
    let written = 0;
    const writer = (async () => {
      while (!done && written < 500) await store.recordEpoch(epoch('t0', written++));
    })();
    // A duplicate trial number fails the insert after the version bump: all of it rolls back.
    await expect(store.commitSchedule('s', 1, { status: 'running' }, [trial(1), trial(0, 'dup-number')])).rejects.toThrow();
    done = true;
    await writer;
    expect(await store.getSearch('s')).toMatchObject({ status: 'queued', version: 1 });
    const trials = await store.listTrialsWithEpochs('s');
    expect(trials.map((t) => t.id)).toEqual(['t0']);
    expect(trials[0].epochs).toHaveLength(written);
  });

  it('lets exactly one of two concurrent commits at the same version win', async () => {
    const url = backend.newUrl();
    const [a, b] = [await open(url), await open(url)];
    await a.createSearch({ id: 's', name: 'n', spec });
    const results = await Promise.all([a.commitSchedule('s', 0, {}, [trial(0, 'a0')]), b.commitSchedule('s', 0, {}, [trial(0, 'b0')])]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await a.listTrials('s')).toHaveLength(1);
    expect((await a.getSearch('s'))!.version).toBe(1);
  });

  it('updateSearch bumps the version and rejects an unknown search', async () => {
    const store = await open();
    await store.createSearch({ id: 's', name: 'n', spec });
    await store.updateSearch('s', { status: 'cancelled', error: 'stopped' });
    expect(await store.getSearch('s')).toMatchObject({ status: 'cancelled', error: 'stopped', version: 1 });
    await expect(store.updateSearch('nope', { status: 'failed' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('updateTrialIf is a compare-and-set on the status', async () => {
    const store = await seeded();
    const startedAt = new Date(Date.now() - 1234);
    expect(await store.updateTrialIf('t0', ['waiting'], { status: 'running', startedAt, attempts: 1, backend: 'wasm' })).toBe(true);
    expect(await store.updateTrialIf('t0', ['waiting'], { status: 'running', attempts: 2 })).toBe(false);
    expect(await store.updateTrialIf('t0', [], { status: 'failed' })).toBe(false);
    expect(await store.updateTrialIf('missing', ['waiting'], { status: 'running' })).toBe(false);
    expect(await store.getTrial('t0')).toMatchObject({ status: 'running', startedAt, attempts: 1, backend: 'wasm', modelId: null });
    expect(await store.updateTrialIf('t0', ['running'], { status: 'completed', valAccuracy: 0.875, finishedAt: new Date() })).toBe(true);
    expect(await store.getTrial('t0')).toMatchObject({ status: 'completed', valAccuracy: 0.875 });
    expect((await store.findTrials(['completed'])).map((t) => t.id)).toEqual(['t0']);
    expect(await store.findTrials(['waiting', 'running'])).toEqual([]);
    expect(await store.getTrial('missing')).toBeNull();
  });

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

  it('stores how a trial trains (promotion fields, source) and the search\'s pending warm starts', async () => {
    const store = await seeded();
    const promoted: NewTrial = { ...trial(1), targetEpochs: 9, initialEpoch: 3, parentTrialId: 't0', bracket: 2, rung: 1, source: 'oracle' };
    const pending = [{ units: 64, lr: 0.01, opt: 'sgd', bn: false }];
    expect(await store.commitSchedule('s', 1, { pendingTrials: pending }, [promoted])).toBe(true);
    expect(await store.getTrial('t1')).toMatchObject({ targetEpochs: 9, initialEpoch: 3, parentTrialId: 't0', bracket: 2, rung: 1, source: 'oracle', value: null });
    expect(await store.getTrial('t0')).toMatchObject({ targetEpochs: null, initialEpoch: 0, parentTrialId: null, source: 'oracle' });
    expect((await store.getSearch('s'))!.pendingTrials).toEqual(pending);
    await store.updateSearch('s', { pendingTrials: [] });
    expect((await store.getSearch('s'))!.pendingTrials).toEqual([]);
    expect(await store.updateTrialIf('t1', ['waiting'], { value: 0.25, targetEpochs: 5 })).toBe(true);
    expect(await store.getTrial('t1')).toMatchObject({ value: 0.25, targetEpochs: 5 });
    expect((await store.listSearches({ statuses: ['running', 'queued'] })).map((s) => s.id)).toEqual(['s']);
    expect(await store.listSearches({ statuses: ['completed'] })).toEqual([]);
  });

  it('lists trials by number with their epochs in order and their model id', async () => {
    const store = await seeded([trial(2), trial(0)]);
    await store.commitSchedule('s', 1, {}, [trial(1)]);
    for (const n of [2, 0, 1]) await store.recordEpoch(epoch('t1', n));
    await store.recordEpoch(epoch('t2', 0));
    const artifact = { modelTopology: {}, weightSpecs: [], weightData: new Uint8Array([1]) };
    const model = await store.saveModel({ id: 'm1', searchId: 's', trialId: 't1', summary, artifact });

    const trials = await store.listTrialsWithEpochs('s');
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2]);
    expect(trials.map((t) => t.epochs.map((e) => e.epoch))).toEqual([[], [0, 1, 2], [0]]);
    expect(trials.map((t) => t.modelId)).toEqual([null, model.id, null]);
    expect(await store.listEpochs('t1')).toEqual(trials[1].epochs); // one trial's epochs, same order
    expect(trials[1].hyperparameters).toEqual(trial(1).hyperparameters);
    expect((await store.listTrials('s')).map((t) => [t.number, t.modelId])).toEqual([[0, null], [1, 'm1'], [2, null]]);
  });

  it('round-trips a model artifact byte for byte; saving again replaces it under the same id', async () => {
    const store = await seeded();
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256);
    // A view into a larger buffer, as a Float32Array's bytes often are.
    const view = new Uint8Array(new ArrayBuffer(bytes.length + 16), 8, bytes.length);
    view.set(bytes);
    const artifact = { modelTopology: { class_name: 'Sequential', config: { layers: [{ units: 10 }] } }, weightSpecs: [{ name: 'w', shape: [2, 2], dtype: 'float32' }], weightData: view };

    const saved = await store.saveModel({ id: 'm1', searchId: 's', trialId: 't0', summary, artifact });
    expect(saved).toMatchObject({ id: 'm1', searchId: 's', trialId: 't0', summary });
    expect(await store.getModel('m1')).toEqual(saved);
    const loaded = await store.getModelArtifact('m1');
    expect(loaded!.weightData).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(loaded!.weightData).equals(Buffer.from(bytes))).toBe(true);
    expect({ ...loaded, weightData: null }).toEqual({ ...artifact, weightData: null });

    const again = await store.saveModel({ id: 'm2', searchId: 's', trialId: 't0', summary, artifact: { ...artifact, weightData: new Uint8Array([0, 255]) } });
    expect(again.id).toBe('m1');
    expect(saved.parentModelId).toBeNull();
    await store.commitSchedule('s', 1, {}, [trial(1)]);
    const child = await store.saveModel({ id: 'm3', searchId: 's', trialId: 't1', parentModelId: 'm1', summary, artifact });
    expect((await store.getModel(child.id))!.parentModelId).toBe('m1');
    expect([...(await store.getModelArtifact('m1'))!.weightData]).toEqual([0, 255]);
    expect(await store.getModel('m2')).toBeNull();
    expect(await store.getModelArtifact('m2')).toBeNull();
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

  it('migrate is idempotent, also when two clients and two processes start at once', async () => {
    const url = backend.newUrl();
    // allSettled: a failure must not end the test while the other migrations still run.
    const results = await Promise.allSettled([migrate(url), migrate(url), migrateInChild(url), migrateInChild(url)]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    await migrate(url);
    expect(await backend.query(url, 'SELECT name FROM _hypertune_migrations')).toHaveLength(migrationCount());
    await (await open(url)).createSearch({ id: 's', name: 'n', spec });
  });

  it('refuses to start when an applied migration was edited', () =>
    withMigrationsCopy(async (dir) => {
      const url = backend.newUrl();
      await migrate(url, { migrationsDir: dir });
      writeFileSync(join(dir, parseDatabaseUrl(url).provider, '0001_init', 'migration.sql'), '-- edited\n', { flag: 'a' });
      await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(/0001_init' was changed after it was applied/);
    }));
}

// --- SQLite ---------------------------------------------------------------------------------
const sqliteDir = mkdtempSync(join(tmpdir(), 'hypertune-store-'));
let sqliteN = 0;
const sqlite: Backend = {
  // A subfolder that does not exist yet: migrate must create it.
  newUrl: () => `file:${join(sqliteDir, `db${++sqliteN}`, 'hypertune.db')}`,
  async query(url, sql) {
    const db = new Database(url.slice('file:'.length), { readonly: true });
    const rows = db.prepare(sql).all() as Record<string, unknown>[];
    db.close();
    return rows;
  },
};

describe('PrismaStore on SQLite', () => {
  afterAll(() => rmSync(sqliteDir, { recursive: true, force: true }));
  storeSuite(sqlite);

  it('leaves the file in WAL mode so processes can share it', async () => {
    const url = sqlite.newUrl();
    await migrate(url);
    expect(await sqlite.query(url, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });

  // Prisma's SQLite "RedefineTables" migrations copy, drop and rename a table; with foreign keys
  // on, the DROP would cascade-delete every trial and epoch of the searches.
  it('keeps child rows through a migration that redefines a parent table', () =>
    withMigrationsCopy(async (dir) => {
      const url = sqlite.newUrl();
      await migrate(url, { migrationsDir: dir });
      const store = await PrismaStore.open(url);
      await store.createSearch({ id: 's', name: 'n', spec });
      await store.commitSchedule('s', 0, {}, [trial(0)]);
      await store.recordEpoch(epoch('t0', 0));
      await store.close();
      // The searches table rebuilt the way Prisma does it, from its current definition (later
      // migrations add columns to it).
      const [{ sql: current }] = await sqlite.query(url, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'searches'");
      const create = `${String(current).replace('"searches"', '"new_searches"')};`;
      const redefine = `PRAGMA defer_foreign_keys=ON;\nPRAGMA foreign_keys=OFF;\n${create}\nINSERT INTO "new_searches" SELECT * FROM "searches";\nDROP TABLE "searches";\nALTER TABLE "new_searches" RENAME TO "searches";\nPRAGMA foreign_keys=ON;\nPRAGMA defer_foreign_keys=OFF;\n`;
      mkdirSync(join(dir, 'sqlite', '9999_redefine'));
      writeFileSync(join(dir, 'sqlite', '9999_redefine', 'migration.sql'), redefine);
      await migrate(url, { migrationsDir: dir });
      expect(await sqlite.query(url, 'SELECT (SELECT count(*) FROM trials) AS trials, (SELECT count(*) FROM epoch_metrics) AS epochs')).toEqual([{ trials: 1, epochs: 1 }]);
    }));
});

// --- PostgreSQL -----------------------------------------------------------------------------
const pgUp = await postgresAvailable();

const pgSchemas: string[] = [];
const postgres: Backend = {
  newUrl() {
    const url = new URL(PG_URL);
    url.searchParams.set('schema', `hypertune_test_${process.pid}_${Date.now().toString(36)}_${pgSchemas.length}`);
    pgSchemas.push(url.searchParams.get('schema')!);
    return url.toString();
  },
  query(url, sql) {
    const target = parseDatabaseUrl(url) as { connectionString: string; schema: string };
    return withPg(target.connectionString, async (client) => {
      await client.query(`SET search_path TO "${target.schema}"`);
      return (await client.query(sql)).rows;
    });
  },
};

describe.skipIf(!pgUp)('PrismaStore on PostgreSQL', () => {
  afterAll(() =>
    withPg(PG_URL, async (client) => {
      for (const schema of pgSchemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }));
  storeSuite(postgres);
});
