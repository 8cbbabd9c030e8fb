// SQLite: operations on one file are serialized within this process. The better-sqlite3 adapter
// runs every query on one connection, so a query issued while an interactive transaction
// (commitSchedule) awaits between statements would run inside it, and be rolled back with it; and
// a second store on the same file (API and worker in one test process) would block the event loop
// in its busy wait while the lock holder cannot resume. Across processes the busy timeout applies.
import { resolve } from 'node:path';

/** How every store module runs its database operations: in turn on SQLite, as they come on PostgreSQL. */
export type Runner = <T>(op: () => Promise<T>) => Promise<T>;

const sqliteQueues = new Map<string, Promise<unknown>>();

/** Runs operations on one SQLite file one after another, in call order, across this process. */
export function sqliteQueue(path: string): Runner {
  // Every ':memory:' connection is a database of its own: queue per store.
  const key = path === ':memory:' ? `:memory:${sqliteQueues.size}:${Math.random()}` : resolve(path);
  return (op) => {
    const result = (sqliteQueues.get(key) ?? Promise.resolve()).then(op, op);
    sqliteQueues.set(key, result.catch(() => undefined));
    return result;
  };
}

/** For PostgreSQL: the server serializes what must be. */
export const unqueued: Runner = (op) => op();
