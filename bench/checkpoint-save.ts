// npm run bench:checkpoint -- [--mb 8,88] [--repeats 5] [--pg postgresql://…]
// What one epoch's checkpoint save costs through PrismaStore.saveCheckpoint, against Prisma's
// upsert of the same row (what the store did before) and a raw UPDATE through $executeRawUnsafe
// (no model-level encoding), measured in the same run on SQLite and, when it answers, PostgreSQL.
// 88 MB is the checkpoint (weights + Adam slots) of bench:search's largest configuration.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { migrate, parseDatabaseUrl } from '../src/store/migrate.js';
import { createPrismaClient } from '../src/store/prisma-client.js';
import { openPrismaStore } from '../src/store/prisma-store.js';
import { postgresAnswers } from '../test/support/postgres-answers.js';

const { values: args } = parseArgs({
  options: {
    mb: { type: 'string', default: '8,88' },
    repeats: { type: 'string', default: '5' },
    pg: { type: 'string', default: process.env.DATABASE_URL_PG ?? 'postgresql://postgres@127.0.0.1:5432/test' },
  },
});
const sizes = args.mb.split(',').map(Number);
const repeats = Number(args.repeats);
const say = (line: string) => process.stderr.write(`${line}\n`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

interface Row { database: string; mb: number; store: number; upsert: number; raw: number }

/** update: the raw statement for (bytes, epoch), in the database's placeholders and schema. */
async function measure(database: string, url: string, update: string): Promise<Row[]> {
  await migrate(url);
  const store = await openPrismaStore(url);
  const db = createPrismaClient(url);
  await db.$connect();
  const rows: Row[] = [];
  try {
    await store.createSearch({ id: 's', name: 'bench', spec: {} as never });
    await store.commitSchedule('s', 0, {}, [{ id: 't', number: 1, hyperparameters: {} }]);
    for (const mb of sizes) {
      const bytes = new Uint8Array(mb * 1e6).map((_, i) => (i * 31) & 255);
      const content = { execution: 0, epoch: 1, weightSpecs: [], weightData: bytes };
      await store.saveCheckpoint({ trialId: 't', ...content }); // the row exists from here on, as after a trial's first epoch
      const times = { store: [] as number[], upsert: [] as number[], raw: [] as number[] };
      // Interleaved, so drift in the machine's load falls on all three alike.
      for (let r = 0; r < repeats; r++) {
        times.store.push(await timed(() => store.saveCheckpoint({ trialId: 't', ...content, epoch: r })));
        times.upsert.push(await timed(() => db.trialCheckpoint.upsert({ where: { trialId: 't' }, create: { trialId: 't', ...content }, update: { ...content, epoch: r } })));
        times.raw.push(await timed(() => db.$executeRawUnsafe(update, bytes, r)));
      }
      const row = { database, mb, store: median(times.store), upsert: median(times.upsert), raw: median(times.raw) };
      say(`${database} ${mb} MB: saveCheckpoint ${row.store.toFixed(0)} ms, upsert ${row.upsert.toFixed(0)} ms, raw UPDATE ${row.raw.toFixed(0)} ms`);
      rows.push(row);
    }
  } finally {
    await db.$disconnect();
    await store.close();
  }
  return rows;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-checkpoint-'));
const rows: Row[] = [];
try {
  rows.push(...(await measure('SQLite', `file:${path.join(dir, 'bench.db')}`, "UPDATE trial_checkpoints SET weight_data = ?, epoch = ? WHERE trial_id = 't'")));
  if (await postgresAnswers(args.pg)) {
    const url = new URL(args.pg);
    const schema = `bench_checkpoint_${process.pid}`;
    url.searchParams.set('schema', schema);
    try {
      rows.push(...(await measure('PostgreSQL', url.toString(), `UPDATE "${schema}".trial_checkpoints SET weight_data = $1, epoch = $2 WHERE trial_id = 't'`)));
    } finally {
      const target = parseDatabaseUrl(url.toString()) as { connectionString: string };
      const client = new pg.Client({ connectionString: target.connectionString });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  } else {
    say(`PostgreSQL at ${args.pg} did not answer: SQLite only`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const ms = (x: number) => x.toFixed(0);
console.log(`${os.cpus()[0]?.model ?? 'cpu'} x${os.availableParallelism()}, node ${process.version}, median of ${repeats}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
console.log('| database | MB | saveCheckpoint ms | Prisma upsert ms (before) | raw UPDATE ms | saveCheckpoint / upsert | MB/s saveCheckpoint |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(`| ${r.database} | ${r.mb} | ${ms(r.store)} | ${ms(r.upsert)} | ${ms(r.raw)} | ${(r.store / r.upsert).toFixed(2)} | ${(r.mb / (r.store / 1000)).toFixed(0)} |`);
