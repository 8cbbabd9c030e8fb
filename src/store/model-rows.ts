// A model's row, weights and all (5.4 MB for the notebook's best model), written through the
// database driver (driver-connection.ts) in one upsert; reads stay Prisma's.
import type { ModelRecord, NewModel } from '../ports/model-store.js';
import { buffer, sqliteDateTime, upsertSql, type DriverConnection } from './driver-connection.js';

/** One model per trial: saving again replaces the content and createdAt but keeps the row's id (see prisma-model-store.ts). */
export type SaveModelRow = (input: NewModel) => Promise<ModelRecord>;

const COLUMNS = ['id', 'search_id', 'trial_id', 'parent_model_id', 'summary', 'model_topology', 'weight_specs', 'weight_data', 'created_at'];
/** values: the columns' SQL, in COLUMNS' order. A second save for the trial keeps the row's id. */
const UPSERT = (table: string, values: string[]) => `${upsertSql(table, COLUMNS, values, 'trial_id', ['id'])} RETURNING "id"`;

export function saveModelRow(c: DriverConnection): SaveModelRow {
  const values = (m: NewModel, createdAt: string) => [
    m.id, m.searchId, m.trialId, m.parentModelId ?? null, JSON.stringify(m.summary),
    JSON.stringify(m.artifact.modelTopology), JSON.stringify(m.artifact.weightSpecs), buffer(m.artifact.weightData), createdAt,
  ];
  const record = (m: NewModel, id: string, createdAt: Date): ModelRecord =>
    ({ id, searchId: m.searchId, trialId: m.trialId, parentModelId: m.parentModelId ?? null, summary: m.summary, createdAt });
  if (c.provider === 'sqlite') {
    // Synchronous, as better-sqlite3 is: callers run it in the file's operation queue (sqlite-queue.ts).
    return async (m) => {
      const now = new Date();
      const row = c.db().prepare(UPSERT('"models"', COLUMNS.map(() => '?'))).get(...values(m, sqliteDateTime(now))) as { id: string };
      return record(m, row.id, now);
    };
  }
  const table = c.table('models');
  // JSON as jsonb; the timestamp column has no zone, and Prisma reads it as UTC (a cast drops the 'Z').
  const casts = COLUMNS.map((col, i) => `$${i + 1}${['summary', 'model_topology', 'weight_specs'].includes(col) ? '::jsonb' : col === 'created_at' ? '::timestamp' : ''}`);
  return async (m) => {
    const now = new Date();
    const { rows } = await c.pool().query<{ id: string }>(UPSERT(table, casts), values(m, now.toISOString()));
    return record(m, rows[0].id, now);
  };
}
