// A trial's checkpoint row (weights, Adam's slots, the best epoch's weights: up to ~90 MB per
// epoch) goes through the database driver (driver-connection.ts), not Prisma.
import type { CheckpointRecord } from '../ports/epoch-store.js';
import { buffer, sqliteDateTime, upsertSql, type DriverConnection } from './driver-connection.js';

export interface CheckpointRows {
  /** Inserts the trial's row or replaces it (one checkpoint per trial). */
  save(c: CheckpointRecord): Promise<void>;
  get(trialId: string): Promise<CheckpointRecord | null>;
}

const COLUMNS = ['trial_id', 'execution', 'epoch', 'weight_specs', 'weight_data', 'updated_at'];
/** values: the six columns' SQL, in COLUMNS' order. One row per trial. */
const UPSERT = (table: string, values: string[]) => upsertSql(table, COLUMNS, values, 'trial_id');
const SELECT = (table: string, p: string) => `SELECT "execution", "epoch", "weight_specs", "weight_data" FROM ${table} WHERE "trial_id" = ${p}`;

interface Row { execution: number; epoch: number; weight_specs: unknown; weight_data: Uint8Array }
const record = (trialId: string, r: Row): CheckpointRecord => ({
  trialId, execution: r.execution, epoch: r.epoch,
  weightSpecs: (typeof r.weight_specs === 'string' ? JSON.parse(r.weight_specs) : r.weight_specs) as unknown[],
  weightData: r.weight_data,
});

/**
 * On SQLite synchronous, as better-sqlite3 is; callers run it in the file's operation queue
 * (sqlite-queue.ts), so it never waits on a lock this process holds.
 */
export function checkpointRows(c: DriverConnection): CheckpointRows {
  if (c.provider === 'sqlite') {
    return {
      async save(r) {
        c.db().prepare(UPSERT('"trial_checkpoints"', ['?', '?', '?', '?', '?', '?']))
          .run(r.trialId, r.execution ?? 0, r.epoch, JSON.stringify(r.weightSpecs), buffer(r.weightData), sqliteDateTime(new Date()));
      },
      async get(trialId) {
        const row = c.db().prepare(SELECT('"trial_checkpoints"', '?')).get(trialId) as Row | undefined;
        return row ? record(trialId, row) : null;
      },
    };
  }
  const table = c.table('trial_checkpoints');
  return {
    async save(r) {
      await c.pool().query(UPSERT(table, ['$1', '$2', '$3', '$4::jsonb', '$5', "(now() AT TIME ZONE 'UTC')"]),
        [r.trialId, r.execution ?? 0, r.epoch, JSON.stringify(r.weightSpecs), buffer(r.weightData)]);
    },
    async get(trialId) {
      const { rows } = await c.pool().query<Row>(SELECT(table, '$1'), [trialId]);
      return rows[0] ? record(trialId, rows[0]) : null;
    },
  };
}
