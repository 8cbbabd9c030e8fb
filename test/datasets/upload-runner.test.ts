// The upload runner and its long-lived decoding child, on a real SQLite store with real child
// processes: uploads in a row share one child; a child killed mid-job fails only that row and the
// next job gets a new one; an idle child exits on its own (and keeps no API process alive); a job
// that leaves the child large retires it; close() fails the running and waiting jobs.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UploadJob } from '../../src/ports/dataset-processor.js';
import { UploadRunner, type UploadRunnerOptions } from '../../src/datasets/upload-runner.js';
import { migrate } from '../../src/store/migrate.js';
import { openPrismaStore, type PrismaStore } from '../../src/store/prisma-store.js';
import { csvFile, fashionSample } from '../fixtures/dataset-files.js';

const CSV = csvFile(fashionSample(20), 20);
const KILLED = 'processing stopped: the decoding process was killed (SIGKILL)';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let url: string;
let store: PrismaStore;
let uploads: string;
let jobs = 0;
const runners: UploadRunner[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hypertune-upload-runner-'));
  url = `file:${join(dir, 'db.sqlite')}`;
  uploads = join(dir, 'uploads');
  await migrate(url);
  store = await openPrismaStore(url);
});
afterEach(async () => { for (const r of runners.splice(0)) await r.close(); });
afterAll(async () => { await store?.close(); rmSync(dir, { recursive: true, force: true }); });

function runner(opts: Partial<UploadRunnerOptions> = {}): UploadRunner {
  const r = new UploadRunner(store.datasets(), { databaseUrl: url, maxBytes: 1 << 24, uploadDir: uploads, ...opts });
  runners.push(r);
  return r;
}

/** A processing row and its uploaded file, as the route and the service leave them. */
async function upload(): Promise<UploadJob> {
  const id = `u${++jobs}`;
  await store.datasets().createProcessingDataset({ id, tenant: null, name: id, format: 'csv', bytes: CSV.length });
  const path = join(uploads, id, 'file');
  mkdirSync(join(uploads, id), { recursive: true });
  writeFileSync(path, CSV);
  return { id, fields: { name: id, format: 'csv' }, files: [{ field: 'file', path }] };
}

const status = async (id: string) => (await store.datasets().getDataset(id))?.status;
const error = async (id: string) => (await store.datasets().getDataset(id))?.error;
/** Running: a zombie (exited, its parent gone, not yet reaped) counts as dead. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** Waits (10 s at most) for the runner to see its child `pid` gone. */
async function exitOf(r: UploadRunner, pid: number): Promise<void> {
  for (let t = 0; t < 100 && r.decoderPid === pid; t++) await sleep(100);
  expect(r.decoderPid).toBeUndefined();
  expect(alive(pid)).toBe(false);
}

async function decoded(r: UploadRunner, job: UploadJob): Promise<void> {
  r.start(job);
  await r.idle();
  expect(await status(job.id)).toBe('ready');
  expect(existsSync(join(uploads, job.id))).toBe(false);
}

describe('the upload runner', () => {
  it('decodes uploads in a row in one child, each stored ready', async () => {
    const r = runner();
    expect(r.decoderPid).toBeUndefined(); // started lazily, on the first job
    await decoded(r, await upload());
    const pid = r.decoderPid!;
    expect(alive(pid)).toBe(true);
    await decoded(r, await upload());
    await decoded(r, await upload());
    expect(r.decoderPid).toBe(pid);
  }, 60_000);

  it('fails only the job whose child is killed, and gives the next job a new child', async () => {
    const r = runner();
    await decoded(r, await upload());
    const pid = r.decoderPid!;
    const victim = await upload();
    r.start(victim);
    process.kill(pid, 'SIGKILL');
    await r.idle();
    expect(await status(victim.id)).toBe('failed');
    expect(await error(victim.id)).toEqual({ field: null, message: KILLED });
    expect(existsSync(join(uploads, victim.id))).toBe(false);
    await decoded(r, await upload());
    expect(r.decoderPid).not.toBe(pid);
  }, 60_000);

  it('lets an idle child exit after idleMs; a later job starts a fresh one', async () => {
    const r = runner({ idleMs: 300 });
    await decoded(r, await upload());
    const pid = r.decoderPid!;
    await exitOf(r, pid);
    await decoded(r, await upload());
    expect(r.decoderPid).not.toBe(pid);
  }, 60_000);

  it('decodes every job when the child exits the moment it is idle (idleMs 0): a job sent as it exits goes to the next child', async () => {
    const r = runner({ idleMs: 0 });
    const all = [await upload(), await upload(), await upload()];
    for (const job of all) r.start(job);
    await r.idle();
    expect(await Promise.all(all.map((job) => status(job.id)))).toEqual(['ready', 'ready', 'ready']);
    expect(readdirSync(uploads)).toEqual([]);
  }, 60_000);

  it('retires a child a job left above maxRssBytes (not waiting idleMs), so the next job gets a fresh one', async () => {
    const r = runner({ maxRssBytes: 1 });
    const first = await upload();
    r.start(first);
    const pid = r.decoderPid!;
    await r.idle();
    await exitOf(r, pid);
    const second = await upload();
    r.start(second);
    expect(r.decoderPid).not.toBe(pid);
    await r.idle();
    expect([await status(first.id), await status(second.id)]).toEqual(['ready', 'ready']);
  }, 60_000);

  it('fails the running and the waiting jobs on close(), and removes their files', async () => {
    const r = runner();
    const running = await upload();
    const waiting = await upload();
    r.start(running);
    r.start(waiting);
    await r.close();
    expect(await error(running.id)).toEqual({ field: null, message: KILLED });
    expect(await error(waiting.id)).toEqual({ field: null, message: 'processing stopped: the API shut down before decoding it' });
    expect(readdirSync(uploads)).toEqual([]);
  }, 60_000);

  it('closes at once with an idle child', async () => {
    const r = runner();
    await decoded(r, await upload());
    const pid = r.decoderPid!;
    const started = Date.now();
    await r.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(alive(pid)).toBe(false);
    await r.idle();
  }, 60_000);

  it('does not keep the API process alive while its child is idle', async () => {
    const job = await upload();
    // A process that decodes one upload and then only closes its store: it must end on its own,
    // long before the child's 60 s idle time.
    const script = `
      const { UploadRunner } = await import(${JSON.stringify(join(ROOT, 'src/datasets/upload-runner.ts'))});
      const { openPrismaStore } = await import(${JSON.stringify(join(ROOT, 'src/store/prisma-store.ts'))});
      const store = await openPrismaStore(${JSON.stringify(url)});
      const r = new UploadRunner(store.datasets(), { databaseUrl: ${JSON.stringify(url)}, maxBytes: 1 << 24, uploadDir: ${JSON.stringify(uploads)}, idleMs: 60000 });
      r.start(${JSON.stringify(job)});
      await r.idle();
      console.log(r.decoderPid);
      await store.close();`;
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, timeout: 30_000 });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await status(job.id)).toBe('ready');
    // The API gone, its idle child follows (IPC disconnect).
    const pid = Number(stdout.trim());
    for (let t = 0; t < 50 && alive(pid); t++) await sleep(100);
    expect(alive(pid)).toBe(false);
  }, 60_000);
});
