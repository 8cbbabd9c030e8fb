// The real service for the load benchmarks (bench/predict-load.ts, bench/queue-burst.ts,
// bench/worker-memory.ts, bench/notebook-search.ts): the API (`src/server.ts`) and N trial workers
// (`workers/trial-worker.ts`) as child processes, on a fresh SQLite database in a temp dir with its
// own queue prefix and a free port, talked to over HTTP. Stopping removes the temp dir and the queue
// prefix's Redis keys. Authentication stays off (the embedded single-user mode).
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { spawnScript } from '../test/support/node-script.js';
import { freePort } from '../test/support/ports.js';
import { stopChild } from '../test/support/process-tree.js';
import { waitFor } from '../test/support/wait.js';

const ADMIN_KEY = randomBytes(24).toString('base64url');

export interface ServiceOptions {
  /** Names the temp dir and the queue prefix. */
  name: string;
  /** Separate trial-worker processes to start (0: API only). */
  workers: number;
  /** The API and one worker in one process, as `npm start` runs them (workers/start-all.ts); `workers` is then ignored. */
  singleProcess?: boolean;
  /** TRAINING_BACKEND of the API and the workers. */
  backend: string;
  env?: Record<string, string>;
  /** Another service's DATABASE_URL, to serve its models from a second API process with other settings (bench/predict-batching.ts); default a fresh database. */
  databaseUrl?: string;
  /** Extra Node flags for the trial workers, which then also get an IPC channel (bench/heap-probe.ts). */
  workerNodeArgs?: string[];
  /** Extra Node flags for the API (`--cpu-prof`, which NODE_OPTIONS does not take). */
  apiNodeArgs?: string[];
}

export interface Service {
  base: string;
  prefix: string;
  databaseUrl: string;
  api: ChildProcess;
  workers: ChildProcess[];
  /** The service's JSON API; throws on a non-2xx answer. */
  call<T = any>(method: string, url: string, body?: unknown): Promise<T>;
  /** Stops the workers (SIGTERM, then SIGKILL after 20 s), leaving the API up. */
  stopWorkers(): Promise<void>;
  stop(): Promise<void>;
}

export async function startService(opts: ServiceOptions): Promise<Service> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-${opts.name}-`));
  const prefix = `bench-${opts.name}-${process.pid}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const databaseUrl = opts.databaseUrl ?? `file:${path.join(dir, 'bench.db')}`;
  const env = {
    // The load benchmarks measure capacity, so the per-client rate limits and the running-searches
    // quota are off unless the caller's environment sets them (with their defaults, 30 searches and
    // 600 predictions a minute, 10 searches at once, a burst from one client is answered 429 or 409).
    RATE_LIMIT_SEARCHES_PER_MINUTE: '0', RATE_LIMIT_PREDICT_PER_MINUTE: '0', RATE_LIMIT_WRITES_PER_MINUTE: '0', SEARCH_QUOTA_RUNNING: '0',
    ...process.env,
    // Authentication stays off; the admin key only gets /health's details (workers, queue counts).
    ADMIN_API_KEY: ADMIN_KEY, AUTH_ENABLED: 'false', PORT: String(port), DATABASE_URL: databaseUrl, QUEUE_PREFIX: prefix,
    REDIS_URL: redisUrl, TRAINING_BACKEND: opts.backend, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...opts.env,
  };
  // The API first: it applies the migrations to the fresh database before the workers open it.
  const api = spawnScript(opts.singleProcess ? 'workers/start-all.ts' : 'src/server.ts', env, undefined, opts.apiNodeArgs);
  const expectedWorkers = opts.singleProcess ? 1 : opts.workers;
  const workers: ChildProcess[] = [];
  let exited = false;
  api.once('exit', () => { exited = true; });

  async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) };
    const res = await fetch(base + url, { method, headers, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<T>;
  }
  const stopWorkers = async () => { await Promise.all(workers.map((w) => stopChild(w))); };
  const service: Service = {
    base, prefix, databaseUrl, api, workers, call, stopWorkers,
    async stop() {
      await stopWorkers();
      await stopChild(api);
      rmSync(dir, { recursive: true, force: true });
      await deleteKeys(redisUrl, prefix).catch((e) => console.error(`could not remove the Redis keys ${prefix}:*: ${e.message}`));
    },
  };
  try {
    await waitFor(() => fetch(`${base}/health`).then((r) => !exited && r.ok, () => false), (up) => up, 120_000, 'the API to start');
    if (!opts.singleProcess) for (let i = 0; i < opts.workers; i++) {
      workers.push(opts.workerNodeArgs
        ? spawnScript('workers/trial-worker.ts', env, ['ignore', 'inherit', 'inherit', 'ipc'], opts.workerNodeArgs)
        : spawnScript('workers/trial-worker.ts', env));
    }
    // A worker is listed in /health once its backend probe is done and it takes jobs.
    await waitFor(() => call<any>('GET', '/health').then((h) => h.workers.list?.length ?? 0, () => 0), (n) => n >= expectedWorkers, 300_000, 'the workers to start');
  } catch (err) {
    await service.stop();
    throw err;
  }
  return service;
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Every item of a paginated list (GET /searches, /searches/:id/trials), following nextCursor. */
export async function listAll(service: Service, path: string, key: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await service.call('GET', `${path}?limit=200${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    items.push(...page[key]);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}

/** Waits until every search is in a final state; returns their summaries. Throws after timeoutMs. */
export async function waitForSearches(service: Service, ids: string[], timeoutMs: number, onPoll?: (done: number) => void): Promise<any[]> {
  const want = new Set(ids);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const searches = await listAll(service, '/searches', 'searches');
    const mine = searches.filter((s) => want.has(s.id));
    const done = mine.filter((s) => s.status !== 'queued' && s.status !== 'running');
    onPoll?.(done.length);
    if (done.length === want.size) return mine;
    if (Date.now() > until) throw new Error(`${want.size - done.length} of ${want.size} searches still unfinished after ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}
