// Migrations on every backend: idempotent and serialized across processes, refusing edited
// history, and kept apart from opening a store (a trial child opens without migrating).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { migrate, parseDatabaseUrl } from '../../src/store/migrate.js';
import { openPrismaStore } from '../../src/store/prisma-store.js';
import { describeBackends, epoch, spec, sqlite, trial } from './backends.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MIGRATIONS = join(ROOT, 'prisma', 'migrations');

const migrationCount = () => readdirSync(join(MIGRATIONS, 'sqlite')).length;

/** Runs migrate() in a separate Node process, as a second API or worker process would. */
function migrateInChild(url: string): Promise<void> {
  const code = `const { migrate } = await import(${JSON.stringify(join(ROOT, 'src/store/migrate.ts'))}); await migrate(process.argv[1]);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, url], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (rc) => (rc === 0 ? resolve() : reject(new Error(`child migrate exited ${rc}: ${stderr}`))));
  });
}

/** Runs fn on a scratch copy of prisma/migrations, which it may extend or edit. */
async function withMigrationsCopy(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hypertune-migrations-'));
  cpSync(MIGRATIONS, dir, { recursive: true });
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


describeBackends('migrate', ({ backend, open }) => {
  it('opens without migrating: trial children leave the schema to their worker', async () => {
    // A database migrate() never saw: the store opens (or fails to) but finds no tables.
    const store = await openPrismaStore(backend.newUrl()).catch(() => undefined);
    if (store) await expect(store.listSearches()).rejects.toThrow().finally(() => store.close());
  });

  it('migrate is idempotent, also when two clients and two processes start at once', async () => {
    const url = backend.newUrl();
    // allSettled: a failure must not end the test while the other migrations still run.
    const results = await Promise.allSettled([migrate(url), migrate(url), migrateInChild(url), migrateInChild(url)]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    await migrate(url);
    expect(await backend.query(url, 'SELECT name FROM _hypertune_migrations')).toHaveLength(migrationCount());
    await (await open(url)).createSearch({ id: 's', name: 'n', spec });
  });

  it('refuses to start when an applied migration was edited', () =>
    withMigrationsCopy(async (dir) => {
      const url = backend.newUrl();
      await migrate(url, { migrationsDir: dir });
      writeFileSync(join(dir, parseDatabaseUrl(url).provider, '0001_init', 'migration.sql'), '-- edited\n', { flag: 'a' });
      await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(/0001_init' was changed after it was applied/);
    }));
});

describe('migrate on SQLite', () => {
  it('leaves the file in WAL mode so processes can share it', async () => {
    const url = sqlite.newUrl();
    await migrate(url);
    expect(await sqlite.query(url, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });

  // Prisma's SQLite "RedefineTables" migrations copy, drop and rename a table; with foreign keys
  // on, the DROP would cascade-delete every trial and epoch of the searches.
  it('keeps child rows through a migration that redefines a parent table', () =>
    withMigrationsCopy(async (dir) => {
      const url = sqlite.newUrl();
      await migrate(url, { migrationsDir: dir });
      const store = await openPrismaStore(url);
      await store.createSearch({ id: 's', name: 'n', spec });
      await store.commitSchedule('s', 0, {}, [trial(0)]);
      await store.recordEpoch(epoch('t0', 0));
      await store.close();
      // The searches table rebuilt the way Prisma does it, from its current definition (later
      // migrations add columns to it).
      const [{ sql: current }] = await sqlite.query(url, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'searches'");
      const create = `${String(current).replace('"searches"', '"new_searches"')};`;
      const redefine = `PRAGMA defer_foreign_keys=ON;\nPRAGMA foreign_keys=OFF;\n${create}\nINSERT INTO "new_searches" SELECT * FROM "searches";\nDROP TABLE "searches";\nALTER TABLE "new_searches" RENAME TO "searches";\nPRAGMA foreign_keys=ON;\nPRAGMA defer_foreign_keys=OFF;\n`;
      mkdirSync(join(dir, 'sqlite', '9999_redefine'));
      writeFileSync(join(dir, 'sqlite', '9999_redefine', 'migration.sql'), redefine);
      await migrate(url, { migrationsDir: dir });
      expect(await sqlite.query(url, 'SELECT (SELECT count(*) FROM trials) AS trials, (SELECT count(*) FROM epoch_metrics) AS epochs')).toEqual([{ trials: 1, epochs: 1 }]);
    }));
});
