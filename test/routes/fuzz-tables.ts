// What a rejected request must leave alone, compared by content (not by row counts): every row of
// every table, read with the plain driver beside the app's own connection, and every job in the
// trial queue (BullMQ in Redis) with its state and data. Blobs (model weights) are compared by hash.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { parseDatabaseUrl } from '../../src/store/migrate.js';
import type { Harness } from '../helpers/harness.js';

export interface Snapshot { tables: Record<string, string[]>; jobs: string[] }

const JOB_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed', 'waiting-children'] as const;

/** One row as sortable text: Buffers as their SHA-256, Dates as ISO strings, keys in column order. */
function rowText(row: Record<string, unknown>): string {
  return JSON.stringify(Object.entries(row).map(([k, v]) => [k, Buffer.isBuffer(v) || v instanceof Uint8Array
    ? `sha256:${createHash('sha256').update(v).digest('hex')}`
    : v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? String(v) : v]));
}

export interface TableReader { snapshot(): Promise<Snapshot>; close(): Promise<void> }

export async function openTables(h: Harness): Promise<TableReader> {
  const target = parseDatabaseUrl(h.config.databaseUrl);
  let read: () => Promise<Record<string, string[]>>;
  let close: () => Promise<void>;
  if (target.provider === 'sqlite') {
    const db = new Database(target.path, { readonly: true, fileMustExist: true });
    read = async () => {
      const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((r) => r.name);
      return Object.fromEntries(names.map((n) => [n, (db.prepare(`SELECT * FROM "${n}"`).all() as Record<string, unknown>[]).map(rowText).sort()]));
    };
    close = async () => { db.close(); };
  } else {
    const client = new pg.Client({ connectionString: target.connectionString });
    await client.connect();
    read = async () => {
      const { rows } = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [target.schema]);
      const out: Record<string, string[]> = {};
      // One query at a time: pg's client queues concurrent ones, deprecated since pg 8.
      for (const { table_name: n } of rows) out[n] = (await client.query(`SELECT * FROM "${target.schema}"."${n}"`)).rows.map(rowText).sort();
      return out;
    };
    close = () => client.end();
  }
  const queue = h.core.queue.queue;
  const jobs = async () => {
    const out: string[] = [];
    for (const state of JOB_STATES) {
      for (const j of await queue.getJobs([state])) out.push(JSON.stringify({ state, id: j.id, name: j.name, data: j.data, attemptsMade: j.attemptsMade }));
    }
    return out.sort();
  };
  return { snapshot: async () => ({ tables: await read(), jobs: await jobs() }), close };
}

/** The snapshot less every row and job that mentions one of `ids` (the searches a test created on purpose). */
export function without(s: Snapshot, ids: Iterable<string>): Snapshot {
  const list = [...ids];
  const keep = (text: string) => !list.some((id) => text.includes(id));
  return { tables: Object.fromEntries(Object.entries(s.tables).map(([t, rows]) => [t, rows.filter(keep)])), jobs: s.jobs.filter(keep) };
}
