// npm run bench:checkpoint -- [--mb 8,88] [--repeats 5] [--pg postgresql://…]
// What one epoch's checkpoint save costs through PrismaStore.saveCheckpoint (the database driver,
// checkpoint-rows.ts), against the same row through Prisma: its updateMany (what the store did
// until 2026-12-05) and its upsert (what it did before that), measured in the same run on SQLite
// and, when it answers, PostgreSQL. The bytes are random float32s, as weights are (PostgreSQL
// compresses a repeating pattern, which would time its compressor rather than the write).
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
import { median, spread } from './stats.js';

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

/** Median (min–max), in whole ms. */
const ms = (xs: number[]) => spread(xs, 0);
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

interface Row { database: string; mb: number; store: number[]; update: number[]; upsert: number[] }

async function measure(database: string, url: string): Promise<Row[]> {
  await migrate(url);
  const store = await openPrismaStore(url);
  const db = createPrismaClient(url);
  await db.$connect();
  const rows: Row[] = [];
  try {
    await store.createSearch({ id: 's', name: 'bench', spec: {} as never });
    await store.commitSchedule('s', 0, {}, [{ id: 't', number: 1, hyperparameters: {} }]);
    for (const mb of sizes) {
      const bytes = new Uint8Array(Float32Array.from({ length: mb * 25e4 }, () => (Math.random() - 0.5) * 0.1).buffer);
      const content = { execution: 0, epoch: 1, weightSpecs: [], weightData: bytes };
      await store.saveCheckpoint({ trialId: 't', ...content }); // the row exists from here on, as after a trial's first epoch
      const times = { store: [] as number[], update: [] as number[], upsert: [] as number[] };
      // Interleaved, so drift in the machine's load falls on all three alike.
      for (let r = 0; r < repeats; r++) {
        times.store.push(await timed(() => store.saveCheckpoint({ trialId: 't', ...content, epoch: r })));
        times.update.push(await timed(() => db.trialCheckpoint.updateMany({ where: { trialId: 't' }, data: { ...content, epoch: r } })));
        times.upsert.push(await timed(() => db.trialCheckpoint.upsert({ where: { trialId: 't' }, create: { trialId: 't', ...content }, update: { ...content, epoch: r } })));
      }
      const row = { database, mb, ...times };
      say(`${database} ${mb} MB: saveCheckpoint ${ms(row.store)} ms, Prisma updateMany ${ms(row.update)} ms, upsert ${ms(row.upsert)} ms`);
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
  rows.push(...(await measure('SQLite', `file:${path.join(dir, 'bench.db')}`)));
  if (await postgresAnswers(args.pg)) {
    const url = new URL(args.pg);
    const schema = `bench_checkpoint_${process.pid}`;
    url.searchParams.set('schema', schema);
    try {
      rows.push(...(await measure('PostgreSQL', url.toString())));
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

console.log(`${os.cpus()[0]?.model ?? 'cpu'} x${os.availableParallelism()}, node ${process.version}, median (min–max) of ${repeats}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
console.log('| database | MB | saveCheckpoint ms (driver) | Prisma updateMany ms | Prisma upsert ms | saveCheckpoint / updateMany | MB/s saveCheckpoint |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(`| ${r.database} | ${r.mb} | ${ms(r.store)} | ${ms(r.update)} | ${ms(r.upsert)} | ${(median(r.store) / median(r.update)).toFixed(2)} | ${(r.mb / (median(r.store) / 1000)).toFixed(0)} |`);
