// Applies prisma/migrations/<provider>/*/migration.sql with the plain driver (better-sqlite3 or
// pg), because `prisma migrate deploy` needs a native schema engine that is not available on every
// host we run on. Applied migrations are recorded in _hypertune_migrations (name, checksum,
// applied_at); running it again is a no-op, two processes starting at once serialize on a lock,
// and an applied migration whose file has changed stops start-up.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';

export type DatabaseTarget =
  | { provider: 'sqlite'; path: string }
  | { provider: 'postgresql'; connectionString: string; schema: string };

/** An SQL identifier (a schema, table or column name) in double quotes, any quote inside doubled. */
export const quoteIdentifier = (id: string) => `"${id.replace(/"/g, '""')}"`;

/** How long a SQLite connection waits for another process's write lock before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 15_000;
const TABLE = '_hypertune_migrations';

/**
 * `file:` → SQLite (path relative to the working directory, query string ignored);
 * `postgres://` / `postgresql://` → PostgreSQL, with `?schema=` (default public) taken out of the
 * URL because pg does not know it.
 */
export function parseDatabaseUrl(databaseUrl: string): DatabaseTarget {
  if (databaseUrl.startsWith('file:')) {
    const path = databaseUrl.startsWith('file://') ? fileURLToPath(databaseUrl.split('?')[0]) : databaseUrl.slice(5).split('?')[0];
    if (!path) throw new Error(`DATABASE_URL '${databaseUrl}' names no SQLite file`);
    return { provider: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const url = new URL(databaseUrl);
    const schema = url.searchParams.get('schema') || 'public';
    url.searchParams.delete('schema');
    return { provider: 'postgresql', connectionString: url.toString(), schema };
  }
  throw new Error(`unsupported DATABASE_URL scheme in '${databaseUrl.split(':')[0]}:...': use file:<path> (SQLite) or postgresql://... (PostgreSQL)`);
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateOptions {
  /** Folder holding the per-provider folders; default: the repository's prisma/migrations. */
  migrationsDir?: string;
}

export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<void> {
  const target = parseDatabaseUrl(databaseUrl);
  const migrations = loadMigrations(join(options.migrationsDir ?? findMigrationsDir(), target.provider));
  if (target.provider === 'sqlite') migrateSqlite(target.path, migrations);
  else await migratePostgres(target.connectionString, target.schema, migrations);
}

/** Walks up from this file, so the default works from src/ (tsx) and from a compiled dist/. */
function findMigrationsDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'prisma', 'migrations');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error('prisma/migrations not found above src/store/migrate.ts: pass migrationsDir');
  }
}

export function loadMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) throw new Error(`no migrations folder at ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      // Line endings normalized so a checkout with CRLF does not look like an edited migration.
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8').replace(/\r\n/g, '\n');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** The migrations still to apply; throws if the database's history disagrees with the files. */
export function pendingMigrations(files: Migration[], applied: Map<string, string>): Migration[] {
  const known = new Set(files.map((m) => m.name));
  for (const name of applied.keys())
    if (!known.has(name)) throw new Error(`database has migration '${name}' that this build does not know: it was migrated by a newer version`);
  for (const m of files) {
    const sum = applied.get(m.name);
    if (sum !== undefined && sum !== m.checksum)
      throw new Error(`migration '${m.name}' was changed after it was applied (checksum ${sum.slice(0, 12)}… in the database, ${m.checksum.slice(0, 12)}… on disk): add a new migration instead of editing an applied one`);
  }
  return files.filter((m) => !applied.has(m.name));
}

function migrateSqlite(path: string, migrations: Migration[]): void {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new Database(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    // WAL is a property of the file: set once here, it lets the API and worker processes read
    // while one of them writes.
    db.pragma('journal_mode = WAL');
    // Table-redefining migrations (Prisma's "RedefineTables") drop and recreate tables; with
    // foreign keys on, dropping a parent would cascade-delete its children. The pragma is a no-op
    // inside a transaction, so it is set before BEGIN, and foreign_key_check runs before COMMIT.
    db.pragma('foreign_keys = OFF');
    // IMMEDIATE takes the write lock up front: a second process waits (busy timeout) and then
    // sees the migrations already recorded.
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(`CREATE TABLE IF NOT EXISTS "${TABLE}" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
      const rows = db.prepare(`SELECT name, checksum FROM "${TABLE}"`).all() as { name: string; checksum: string }[];
      const record = db.prepare(`INSERT INTO "${TABLE}" (name, checksum, applied_at) VALUES (?, ?, ?)`);
      for (const m of pendingMigrations(migrations, new Map(rows.map((r) => [r.name, r.checksum])))) {
        try {
          db.exec(m.sql);
        } catch (err) {
          throw new Error(`migration '${m.name}' failed: ${(err as Error).message}`, { cause: err });
        }
        record.run(m.name, m.checksum, new Date().toISOString());
      }
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new Error(`migrations left ${broken.length} rows violating foreign keys: ${JSON.stringify(broken.slice(0, 3))}`);
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    db.close();
  }
}

async function migratePostgres(connectionString: string, schema: string, migrations: Migration[]): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const q = quoteIdentifier;
  try {
    // A session-level advisory lock, per schema: a second process blocks here until the first
    // has committed, then finds nothing left to do. Held across the per-migration transactions.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`hypertune_migrations:${schema}`]);
    try {
      // Create the schema only if missing: CREATE SCHEMA needs a privilege a deploy user may lack.
      const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (!rowCount) await client.query(`CREATE SCHEMA ${q(schema)}`);
      // The migration SQL names no schema; search_path puts it into ours.
      await client.query(`SET search_path TO ${q(schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${q(TABLE)} (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM ${q(TABLE)}`);
      for (const m of pendingMigrations(migrations, new Map(rows.map((r) => [r.name, r.checksum])))) {
        // PostgreSQL DDL is transactional: a failed migration leaves nothing half-applied.
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query(`INSERT INTO ${q(TABLE)} (name, checksum) VALUES ($1, $2)`, [m.name, m.checksum]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migration '${m.name}' failed: ${(err as Error).message}`, { cause: err });
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`hypertune_migrations:${schema}`]);
    }
  } finally {
    await client.end();
  }
}
