// The store suites' support: every suite runs against every backend (as Optuna's storage tests
// do), SQLite on a temp file and PostgreSQL in a fresh schema per store (DATABASE_URL_PG,
// dropped afterwards), and shares these fixtures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, describe } from 'vitest';
import type { ModelSummary } from '../../src/domain/model-summary.js';
import type { SearchSpec } from '../../src/domain/search-spec.js';
import type { NewTrial } from '../../src/ports/search-store.js';
import { migrate, parseDatabaseUrl } from '../../src/store/migrate.js';
import { openPrismaStore, type PrismaStore } from '../../src/store/prisma-store.js';
import { PG_URL, postgresAvailable } from '../helpers/postgres.js';


export interface Backend {
  name: 'SQLite' | 'PostgreSQL';
  /** A URL to a fresh, empty database. */
  newUrl(): string;
  /** Runs one statement with the plain driver (in the URL's schema); returns its rows. */
  query(url: string, sql: string): Promise<Record<string, unknown>[]>;
}

export interface SuiteContext {
  backend: Backend;
  /** Migrates (as every process that owns the schema does at start), then opens; closed after the test. */
  open(url?: string): Promise<PrismaStore>;
  /** A store holding search 's' at version 1 with these trials. */
  seeded(trials?: NewTrial[]): Promise<PrismaStore>;
}

// The store is opaque to these types; any JSON object will do.
export const spec = { name: 'exp', dataset: { id: 'fashion-mnist' }, nested: { list: [1, 2.5, 'x', true, null] } } as unknown as SearchSpec;
export const summary = { totalParams: 1234, layers: [{ name: 'dense', outputShape: [null, 10] }] } as unknown as ModelSummary;
export const trial = (n: number, id = `t${n}`): NewTrial => ({ id, number: n, hyperparameters: { units: 32 * (n + 1), lr: 1e-3, opt: 'adam', bn: n % 2 === 0 } });
/** The first page of a list, large enough for any suite's rows. */
export const FIRST = { after: null, limit: 200 };
export const epoch = (trialId: string, n: number, loss = 1 / (n + 1), execution = 0) => ({ trialId, execution, epoch: n, loss, accuracy: 0.5, valLoss: loss * 1.1, valAccuracy: 0.4 + n / 100, durationMs: 1000 + n });

export async function withPg<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2000 });
  await client.connect();
  return fn(client).finally(() => client.end());
}

const sqliteDir = mkdtempSync(join(tmpdir(), 'hypertune-store-'));
let sqliteN = 0;
export const sqlite: Backend = {
  name: 'SQLite',
  // A subfolder that does not exist yet: migrate must create it.
  newUrl: () => `file:${join(sqliteDir, `db${++sqliteN}`, 'hypertune.db')}`,
  async query(url, sql) {
    const db = new Database(url.slice('file:'.length), { readonly: true });
    const rows = db.prepare(sql).all() as Record<string, unknown>[];
    db.close();
    return rows;
  },
};

const pgUp = await postgresAvailable();

const pgSchemas: string[] = [];
export const postgres: Backend = {
  name: 'PostgreSQL',
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

/** Runs `suite` once per backend; the PostgreSQL run is skipped when no server answers, and fails where it is required (CI). */
export function describeBackends(title: string, suite: (ctx: SuiteContext) => void): void {
  for (const backend of [sqlite, postgres]) {
    describe.skipIf(backend === postgres && !pgUp)(`${title} on ${backend.name}`, () => {
      const opened: PrismaStore[] = [];
      const open = async (url = backend.newUrl()) => {
        await migrate(url);
        const store = await openPrismaStore(url);
        opened.push(store);
        return store;
      };
      const seeded = async (trials = [trial(0)]) => {
        const store = await open();
        await store.createSearch({ id: 's', name: 'n', spec });
        await store.commitSchedule('s', 0, {}, trials);
        return store;
      };
      afterEach(() => Promise.all(opened.splice(0).map((s) => s.close())).then(() => undefined));
      afterAll(() => backend === sqlite
        ? rmSync(sqliteDir, { recursive: true, force: true })
        : withPg(PG_URL, async (client) => {
          for (const schema of pgSchemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        }));
      suite({ backend, open, seeded });
    });
  }
}
