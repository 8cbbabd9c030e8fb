// After a process wrote a large dataset into a SQLite database, its write-ahead log holds every
// page of it. Whichever connection commits next past the log's auto-checkpoint size copies those
// pages into the database file, synchronously: in the API that would hold the event loop for as
// long as writing the dataset took. The writing process checkpoints and empties the log itself.
import Database from 'better-sqlite3';
import { parseDatabaseUrl, SQLITE_BUSY_TIMEOUT_MS } from './migrate.js';

/** Copies the log into the database file and truncates it (SQLite only; waits for readers up to the busy timeout). */
export function checkpointSqlite(databaseUrl: string): void {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.provider !== 'sqlite') return;
  const db = new Database(target.path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
