// The database driver itself, beside Prisma, for the statements that carry large bytes (a trial's
// checkpoint, a model's weights). Prisma 7's query compiler carries a Bytes argument as a base64
// string that the driver adapter decodes again (adapter-better-sqlite3's mapArg): 64 MB took
// 1.13 s on SQLite that way against 0.40 s binding the bytes directly (`npm run bench:checkpoint`);
// a 5.4 MB model 61-82 ms against 24-33. Only those statements take this path; the schema, and
// every other read and write of their tables, stay Prisma's.
import Database from 'better-sqlite3';
import pg from 'pg';
import { quoteIdentifier, SQLITE_BUSY_TIMEOUT_MS, type DatabaseTarget } from './migrate.js';

/** Opened at first use (most processes never write a checkpoint or a model), closed with the store. */
export type DriverConnection =
  | { provider: 'sqlite'; db(): Database.Database; close(): Promise<void> }
  /** `table`: a table's name qualified with the schema, as dataset-row-lock.ts does (only Prisma's own queries are). */
  | { provider: 'postgresql'; pool(): pg.Pool; table(name: string): string; close(): Promise<void> };

export function driverConnection(target: DatabaseTarget): DriverConnection {
  if (target.provider === 'sqlite') {
    let db: Database.Database | undefined;
    return {
      provider: 'sqlite',
      db: () => (db ??= new Database(target.path, { timeout: SQLITE_BUSY_TIMEOUT_MS })),
      async close() {
        db?.close();
        db = undefined;
      },
    };
  }
  let pool: pg.Pool | undefined;
  return {
    provider: 'postgresql',
    // One pooled connection: the pool reconnects after a lost one, where a lone client would stay broken.
    pool() {
      if (pool) return pool;
      pool = new pg.Pool({ connectionString: target.connectionString, max: 1, application_name: driverConnectionName(target.schema) });
      // An idle connection lost (a restarted server) is an 'error' event, fatal to the process
      // unheard; the pool drops that connection and the next statement opens another.
      pool.on('error', () => undefined);
      return pool;
    },
    table: (name) => `${quoteIdentifier(target.schema)}.${quoteIdentifier(name)}`,
    async close() {
      await pool?.end();
      pool = undefined;
    },
  };
}

/** The PostgreSQL connection's application_name, as pg_stat_activity shows it. */
export const driverConnectionName = (schema: string) => `hypertune-driver ${schema}`.slice(0, 63);

/**
 * INSERT of `columns`, or on a conflict on `key` an UPDATE of every column but `key` and `kept`;
 * `values`: each column's SQL in the same order (placeholders, casts, expressions).
 */
export const upsertSql = (table: string, columns: string[], values: string[], key: string, kept: string[] = []) =>
  `INSERT INTO ${table} (${columns.map(quoteIdentifier).join(', ')}) VALUES (${values.join(', ')})
   ON CONFLICT (${quoteIdentifier(key)}) DO UPDATE SET ${columns.filter((c) => c !== key && !kept.includes(c)).map((c) => `${quoteIdentifier(c)} = excluded.${quoteIdentifier(c)}`).join(', ')}`;

/** Binds the caller's bytes without a copy (both drivers take a Buffer). */
export const buffer = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** A DateTime as Prisma's better-sqlite3 adapter writes it: ISO 8601 with '+00:00' (its default timestampFormat). */
export const sqliteDateTime = (d: Date) => d.toISOString().replace('Z', '+00:00');
