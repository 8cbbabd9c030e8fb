// Locks an uploaded dataset's row inside an interactive transaction, so that "no unfinished search
// uses it, then delete it" and "it exists, then insert a search on it" cannot interleave. Raw SQL,
// because Prisma's model API has no row locks. PostgreSQL locks the row (FOR UPDATE against
// FOR SHARE) and needs the schema spelled out: the pg adapter qualifies only the queries it
// generates. SQLite has no row locks: a write that changes nothing takes the database's write lock
// first, which serializes the transactions across processes (a read first, then a write, would
// fail with SQLITE_BUSY where it should wait).
import { quoteIdentifier, type DatabaseTarget } from './migrate.js';
import type { DbClient } from './prisma-client.js';

type Tx = Pick<DbClient, '$queryRawUnsafe' | '$executeRawUnsafe'>;

/** The dataset's row (every column, by its SQL name) once locked; null when there is none. */
export type DatasetRowLock = (tx: Tx, id: string, mode: 'share' | 'update') => Promise<Record<string, unknown> | null>;

export function datasetRowLock(target: DatabaseTarget): DatasetRowLock {
  if (target.provider === 'sqlite') {
    return async (tx, id) => {
      await tx.$executeRawUnsafe('UPDATE "datasets" SET "id" = "id" WHERE 0');
      const rows = await tx.$queryRawUnsafe<Record<string, unknown>[]>('SELECT * FROM "datasets" WHERE "id" = ?', id);
      return rows[0] ?? null;
    };
  }
  const table = `${quoteIdentifier(target.schema)}."datasets"`;
  return async (tx, id, mode) => {
    const rows = await tx.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM ${table} WHERE "id" = $1 FOR ${mode === 'share' ? 'SHARE' : 'UPDATE'}`, id);
    return rows[0] ?? null;
  };
}
