// A trial's checkpoint row (weights, Adam's slots, the best epoch's weights: up to ~90 MB per
// epoch) goes through the database driver itself, not Prisma. Prisma 7's query compiler carries a
// Bytes argument as a base64 string that the driver adapter decodes again (adapter-better-sqlite3's
// mapArg): 64 MB took 1.13 s on SQLite that way against 0.40 s binding the bytes directly (`npm run
// bench:checkpoint`; on PostgreSQL the server's own write dominates either way). Only these
// statements take this path; the schema, and every other read and write of the table, stay Prisma's.
import Database from 'better-sqlite3';
import pg from 'pg';
import type { CheckpointRecord } from '../ports/epoch-store.js';
import { SQLITE_BUSY_TIMEOUT_MS, type DatabaseTarget } from './migrate.js';

export interface CheckpointRows {
  /** Inserts the trial's row or replaces it (one checkpoint per trial). */
  save(c: CheckpointRecord): Promise<void>;
  get(trialId: string): Promise<CheckpointRecord | null>;
  close(): Promise<void>;
}

const COLUMNS = '"trial_id", "execution", "epoch", "weight_specs", "weight_data", "updated_at"';
/** values: the six columns' SQL, in COLUMNS' order (placeholders, casts, expressions). */
const UPSERT = (table: string, values: string[]) =>
  `INSERT INTO ${table} (${COLUMNS}) VALUES (${values.join(', ')})
   ON CONFLICT ("trial_id") DO UPDATE SET "execution" = excluded."execution", "epoch" = excluded."epoch",
   "weight_specs" = excluded."weight_specs", "weight_data" = excluded."weight_data", "updated_at" = excluded."updated_at"`;
const SELECT = (table: string, p: string) => `SELECT "execution", "epoch", "weight_specs", "weight_data" FROM ${table} WHERE "trial_id" = ${p}`;

interface Row { execution: number; epoch: number; weight_specs: unknown; weight_data: Uint8Array }
const record = (trialId: string, r: Row): CheckpointRecord => ({
  trialId, execution: r.execution, epoch: r.epoch,
  weightSpecs: (typeof r.weight_specs === 'string' ? JSON.parse(r.weight_specs) : r.weight_specs) as unknown[],
  weightData: r.weight_data,
});
/** Binds the caller's bytes without a copy (both drivers take a Buffer). */
const buffer = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

export function checkpointRows(target: DatabaseTarget): CheckpointRows {
  return target.provider === 'sqlite' ? sqliteRows(target.path) : postgresRows(target.connectionString, target.schema);
}

/**
 * Synchronous, as better-sqlite3 is; callers run it in the file's operation queue (sqlite-queue.ts),
 * so it never waits on a lock this process holds. Opened at first use: most processes never save one.
 */
function sqliteRows(path: string): CheckpointRows {
  let db: Database.Database | undefined;
  const open = () => (db ??= new Database(path, { timeout: SQLITE_BUSY_TIMEOUT_MS }));
  return {
    async save(c) {
      // Prisma's better-sqlite3 adapter writes DateTime as ISO 8601 with '+00:00' (its default timestampFormat).
      const now = new Date().toISOString().replace('Z', '+00:00');
      open().prepare(UPSERT('"trial_checkpoints"', ['?', '?', '?', '?', '?', '?']))
        .run(c.trialId, c.execution ?? 0, c.epoch, JSON.stringify(c.weightSpecs), buffer(c.weightData), now);
    },
    async get(trialId) {
      const row = open().prepare(SELECT('"trial_checkpoints"', '?')).get(trialId) as Row | undefined;
      return row ? record(trialId, row) : null;
    },
    async close() {
      db?.close();
      db = undefined;
    },
  };
}

/** The PostgreSQL connection's application_name, as pg_stat_activity shows it. */
export const checkpointConnectionName = (schema: string) => `hypertune-checkpoints ${schema}`.slice(0, 63);

/** One pooled connection: the pool reconnects after a lost one, where a lone client would stay broken. */
function postgresRows(connectionString: string, schema: string): CheckpointRows {
  let pool: pg.Pool | undefined;
  const open = () => {
    if (pool) return pool;
    pool = new pg.Pool({ connectionString, max: 1, application_name: checkpointConnectionName(schema) });
    // An idle connection lost (a restarted server) is an 'error' event, fatal to the process
    // unheard; the pool drops that connection and the next save opens another.
    pool.on('error', () => undefined);
    return pool;
  };
  // The schema spelled out, as dataset-row-lock.ts does: only Prisma's own queries are qualified.
  const table = `"${schema.replace(/"/g, '""')}"."trial_checkpoints"`;
  return {
    async save(c) {
      await open().query(UPSERT(table, ['$1', '$2', '$3', '$4::jsonb', '$5', "(now() AT TIME ZONE 'UTC')"]),
        [c.trialId, c.execution ?? 0, c.epoch, JSON.stringify(c.weightSpecs), buffer(c.weightData)]);
    },
    async get(trialId) {
      const { rows } = await open().query<Row>(SELECT(table, '$1'), [trialId]);
      return rows[0] ? record(trialId, rows[0]) : null;
    },
    async close() {
      await pool?.end();
      pool = undefined;
    },
  };
}
