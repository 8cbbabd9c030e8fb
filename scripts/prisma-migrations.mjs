#!/usr/bin/env node
// Writes the migration SQL for both providers from prisma/schema.prisma, or checks it is current.
//   npm run prisma:migrations                      first run: 0001_init; later: nothing if up to date
//   npm run prisma:migrations -- --name add_notes  after a schema change: NNNN_add_notes for both
//   npm run prisma:migrations -- --check           exit 1 if the committed SQL lags the schema
//   ... --provider sqlite|postgresql               one provider only
//
// Why Prisma 6.19, installed at run time, with patched adapters (there is no cleaner way here):
// - Prisma 7.10's `migrate diff` (the installed CLI) always spawns the native schema engine, which
//   cannot be downloaded here (with PRISMA_SCHEMA_ENGINE_BINARY pointing to a stub it fails with
//   EACCES/ENOENT); 7.x dropped the config's `engine: 'js'` + `adapter` route, and the
//   schema_engine_bg.wasm it ships is loaded by no CLI command (and has no JS bindings we could call).
// - Writing the DDL ourselves from the schema (prisma_schema_build_bg.wasm gives the DMMF) would
//   be a second migration generator to maintain, reproducing Prisma's SQLite table rebuilds.
// - Prisma 6.19's JS/wasm schema engine works through driver adapters, so this script installs it
//   once into a temp dir (a package.json dependency would clash with prisma 7 under one name; an
//   npm alias such as "prisma6": "npm:prisma@6.19" would remove the run-time install) and feeds it
//   two adapter wrappers: SQLite scripts go to executeScript (6.19 sends a whole script to
//   executeRaw, which the 7.x better-sqlite3 adapter prepares as one statement), and pg_catalog
//   columns adapter-pg refuses are reported as text.
// The diff runs from the committed migrations (replayed on a throwaway shadow database: SQLite in
// memory, PostgreSQL a temporary database on the server at MIGRATIONS_PG_URL / DATABASE_URL_PG,
// which needs CREATEDB) to the schema; src/store/migrate.ts applies the SQL without Prisma.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { deriveSchema, ROOT, SCHEMA } from './prisma-generate.mjs';

const PRISMA6 = '6.19';
const TOOLS = join(tmpdir(), `hypertune-prisma-${PRISMA6}`);
const MIGRATIONS = join(ROOT, 'prisma', 'migrations');
const PROVIDERS = ['sqlite', 'postgresql'];
const PG_URL = process.env.MIGRATIONS_PG_URL ?? process.env.DATABASE_URL_PG ?? 'postgresql://postgres@127.0.0.1:5432/test';

const { values: opts } = parseArgs({ options: { check: { type: 'boolean' }, name: { type: 'string' }, provider: { type: 'string' } } });
const providers = opts.provider ? [opts.provider] : PROVIDERS;
if (!providers.every((p) => PROVIDERS.includes(p))) fail(`--provider must be one of ${PROVIDERS.join(', ')}`);
if (opts.name !== undefined && !/^[a-z0-9_]+$/.test(opts.name)) fail('--name must be snake_case ([a-z0-9_]+)');

function fail(message) {
  console.error(`prisma-migrations: ${message}`);
  process.exit(1);
}

const migrationNames = (provider) => {
  const dir = join(MIGRATIONS, provider);
  return existsSync(dir) ? readdirSync(dir).filter((n) => existsSync(join(dir, n, 'migration.sql'))).sort() : [];
};

function ensureTools() {
  if (existsSync(join(TOOLS, 'node_modules', 'prisma', 'package.json'))) return;
  console.error(`prisma-migrations: installing prisma@${PRISMA6} into ${TOOLS} (once)`);
  mkdirSync(TOOLS, { recursive: true });
  const r = spawnSync('npm', ['install', '--prefix', TOOLS, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `prisma@${PRISMA6}`, `@prisma/adapter-pg@${PRISMA6}`], { stdio: 'inherit' });
  if (r.status !== 0) fail(`npm install prisma@${PRISMA6} failed`);
}

/** Prisma 6 wants `url` in the datasource and has no use for our generator block. */
function prisma6Schema(provider) {
  const url = provider === 'sqlite' ? 'file:unused.db' : 'postgresql://unused';
  return deriveSchema(readFileSync(SCHEMA, 'utf8'), provider)
    .replace(/generator\s+client\s*\{[^}]*\}\n?/, '')
    .replace(/(datasource\s+db\s*\{)/, `$1\n  url = "${url}"`);
}

// Prisma 6.19's engine sends each migration script to the adapter's executeRaw as one string;
// the 7.x better-sqlite3 adapter (the one installed here) prepares it as a single statement and
// fails, so scripts without parameters go to executeScript instead.
const SQLITE_CONFIG = (adapterUrl) => `
import { PrismaBetterSqlite3 } from ${JSON.stringify(adapterUrl)};
const scripted = (a) => { const raw = a.executeRaw.bind(a); a.executeRaw = async (q) => (q.args.length ? raw(q) : (await a.executeScript(q.sql), 0)); return a; };
const f = new PrismaBetterSqlite3({ url: ':memory:' });
const adapter = { provider: f.provider, adapterName: f.adapterName, connect: async () => scripted(await f.connect()), connectToShadowDb: async () => scripted(await f.connectToShadowDb()) };
export default { experimental: { adapter: true }, engine: 'js', schema: 'schema.prisma', adapter: async () => adapter };
`;

// Both connections go to our own throwaway database: the adapter's connectToShadowDb would
// create one from a connection string it then ignores, and drop it while still connected.
// Introspecting the shadow database selects pg_catalog columns of types "char" (18), name (19)
// and the like, which adapter-pg refuses (UnsupportedNativeDataType); their values arrive as
// strings anyway, so they are reported as text (25).
const PG_CONFIG = (adapterUrl, shadow) => `
import { PrismaPg } from ${JSON.stringify(adapterUrl)};
const TEXTUAL = new Set([18, 19, 22, 24, 30, 194, 2205, 1002, 1003]);
const patched = (a) => {
  let proto = a;
  while (proto && !Object.hasOwn(proto, 'performIO')) proto = Object.getPrototypeOf(proto);
  if (proto && !proto.performIO.textual) {
    const io = proto.performIO;
    proto.performIO = async function (q) {
      const r = await io.call(this, q);
      for (const f of r.fields ?? []) if (TEXTUAL.has(f.dataTypeID)) f.dataTypeID = 25;
      return r;
    };
    proto.performIO.textual = true;
  }
  return a;
};
const f = new PrismaPg(${JSON.stringify(shadow)});
const adapter = { provider: f.provider, adapterName: f.adapterName, connect: async () => patched(await f.connect()), connectToShadowDb: async () => patched(await f.connect()) };
export default { experimental: { adapter: true }, engine: 'js', schema: 'schema.prisma', adapter: async () => adapter };
`;

function pgConfig(url, database) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) || undefined, database };
}

/** Runs `migrate diff` from the committed migrations to the schema; returns the SQL, '' if none. */
async function diff(provider) {
  const work = mkdtempSync(join(tmpdir(), `hypertune-migrations-${provider}-`));
  let dropShadow = async () => {};
  try {
    writeFileSync(join(work, 'schema.prisma'), prisma6Schema(provider));
    const names = migrationNames(provider);
    if (names.length > 0) {
      cpSync(join(MIGRATIONS, provider), join(work, 'migrations'), { recursive: true });
      writeFileSync(join(work, 'migrations', 'migration_lock.toml'), `provider = "${provider}"\n`);
    }
    if (provider === 'sqlite') {
      const adapterUrl = pathToFileURL(join(ROOT, 'node_modules', '@prisma', 'adapter-better-sqlite3', 'dist', 'index.mjs')).href;
      writeFileSync(join(work, 'prisma.config.mjs'), SQLITE_CONFIG(adapterUrl));
    } else {
      const shadow = `hypertune_shadow_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ ...pgConfig(PG_URL, new URL(PG_URL).pathname.slice(1) || 'postgres') });
      await admin.connect().catch((e) => fail(`PostgreSQL at ${PG_URL} did not answer (${e.message}); start it or pass --provider sqlite`));
      await admin.query(`CREATE DATABASE "${shadow}"`);
      dropShadow = async () => {
        await admin.query(`DROP DATABASE IF EXISTS "${shadow}" WITH (FORCE)`);
        await admin.end();
      };
      const adapterUrl = pathToFileURL(join(TOOLS, 'node_modules', '@prisma', 'adapter-pg', 'dist', 'index.mjs')).href;
      writeFileSync(join(work, 'prisma.config.mjs'), PG_CONFIG(adapterUrl, pgConfig(PG_URL, shadow)));
    }
    // Prisma 6 fetches native engines before any command unless these name existing files; the
    // js engine never runs them.
    const stub = join(work, 'no-native-engine');
    writeFileSync(stub, '');
    const from = names.length > 0 ? ['--from-migrations', 'migrations'] : ['--from-empty'];
    const r = spawnSync(process.execPath, [join(TOOLS, 'node_modules', 'prisma', 'build', 'index.js'), 'migrate', 'diff', ...from, '--to-schema-datamodel', 'schema.prisma', '--script', '--exit-code'], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: stub, PRISMA_QUERY_ENGINE_LIBRARY: stub, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    });
    if (r.status === 0) return '';
    if (r.status !== 2) throw new Error(`prisma migrate diff (${provider}) failed:\n${r.stderr}${r.stdout}`);
    // Migrations run inside the schema src/store/migrate.ts selects (search_path), not "public".
    return r.stdout.replace(/-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/, '');
  } finally {
    await dropShadow();
    rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  ensureTools();
  const lists = providers.map(migrationNames);
  if (providers.length === 2 && lists[0].join() !== lists[1].join())
    fail(`migration folders differ between providers:\n  sqlite: ${lists[0].join(', ')}\n  postgresql: ${lists[1].join(', ')}`);
  const pending = [];
  for (const provider of providers) {
    const sql = await diff(provider);
    if (sql) pending.push({ provider, sql });
  }
  if (pending.length === 0) return console.log(`prisma-migrations: up to date (${providers.join(', ')})`);
  if (opts.check) {
    for (const p of pending) console.error(`--- ${p.provider}: schema changes without a migration ---\n${p.sql}`);
    fail('prisma/schema.prisma changed: run `npm run prisma:migrations -- --name <what_changed>` and commit the SQL');
  }
  // One number and name for every provider, so their folders stay in step.
  const all = PROVIDERS.flatMap(migrationNames);
  if (all.length > 0 && !opts.name) fail('the schema changed: pass --name <what_changed> for the new migration');
  const next = Math.max(0, ...all.map((n) => parseInt(n, 10) || 0)) + 1;
  const folder = `${String(next).padStart(4, '0')}_${opts.name ?? 'init'}`;
  for (const { provider, sql } of pending) {
    const dir = join(MIGRATIONS, provider, folder);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'migration.sql'), sql);
    console.log(`prisma-migrations: wrote prisma/migrations/${provider}/${folder}/migration.sql`);
  }
}

main().catch((err) => fail(err.stack ?? String(err)));
