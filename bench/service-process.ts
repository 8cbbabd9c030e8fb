// Shared by the load benchmarks (bench/predict-load.ts, bench/queue-burst.ts, bench/worker-memory.ts):
// starts the real service as child processes (the API, `src/server.ts`, and N trial workers,
// `workers/trial-worker.ts`, as `npm run api` / `npm run worker` do) on a fresh SQLite database in a
// temp dir with its own queue prefix and a free port; talks to it over HTTP; samples processes'
// resident memory from /proc; reports the machine and its load. Stopping removes the temp dir and
// the queue prefix's Redis keys. Authentication stays off (the embedded single-user mode).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
}

export interface Service {
  base: string;
  prefix: string;
  api: ChildProcess;
  workers: ChildProcess[];
  /** The service's JSON API; throws on a non-2xx answer. */
  call<T = any>(method: string, url: string, body?: unknown): Promise<T>;
  /** Stops the workers (SIGTERM, then SIGKILL after 20 s), leaving the API up. */
  stopWorkers(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function stopChild(child: ChildProcess, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function startService(opts: ServiceOptions): Promise<Service> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-${opts.name}-`));
  const prefix = `bench-${opts.name}-${process.pid}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const env = {
    // The load benchmarks measure capacity, so the per-client rate limits are off unless the caller's
    // environment sets them (with their defaults, 30 searches and 600 predictions a minute, a burst
    // from one client is answered 429).
    RATE_LIMIT_SEARCHES_PER_MINUTE: '0', RATE_LIMIT_PREDICT_PER_MINUTE: '0',
    ...process.env, PORT: String(port), DATABASE_URL: `file:${path.join(dir, 'bench.db')}`, QUEUE_PREFIX: prefix,
    REDIS_URL: redisUrl, TRAINING_BACKEND: opts.backend, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...opts.env,
  };
  const node = (file: string) => spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  // The API first: it applies the migrations to the fresh database before the workers open it.
  const api = node(opts.singleProcess ? 'workers/start-all.ts' : 'src/server.ts');
  const expectedWorkers = opts.singleProcess ? 1 : opts.workers;
  const workers: ChildProcess[] = [];
  let exited = false;
  api.once('exit', () => { exited = true; });

  async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const res = await fetch(base + url, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<T>;
  }
  const stopWorkers = async () => { await Promise.all(workers.map((w) => stopChild(w))); };
  const service: Service = {
    base, prefix, api, workers, call, stopWorkers,
    async stop() {
      await stopWorkers();
      await stopChild(api);
      rmSync(dir, { recursive: true, force: true });
      await deleteKeys(redisUrl, prefix).catch((e) => console.error(`could not remove the Redis keys ${prefix}:*: ${e.message}`));
    },
  };
  try {
    await waitFor(async () => !exited && await fetch(`${base}/health`).then((r) => r.ok, () => false), 120_000, 'the API did not start');
    if (!opts.singleProcess) for (let i = 0; i < opts.workers; i++) workers.push(node('workers/trial-worker.ts'));
    // A worker is listed in /health once its backend probe is done and it takes jobs.
    await waitFor(async () => (await call<any>('GET', '/health')).workers.list?.length >= expectedWorkers, 300_000, 'the workers did not start');
  } catch (err) {
    await service.stop();
    throw err;
  }
  return service;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, message: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > until) throw new Error(message);
    await sleep(250);
  }
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

/** Waits until every search is in a final state; returns their views. Throws after timeoutMs. */
export async function waitForSearches(service: Service, ids: string[], timeoutMs: number, onPoll?: (done: number) => void): Promise<any[]> {
  const want = new Set(ids);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { searches } = await service.call<{ searches: any[] }>('GET', '/searches');
    const mine = searches.filter((s) => want.has(s.id));
    const done = mine.filter((s) => s.status !== 'queued' && s.status !== 'running');
    onPoll?.(done.length);
    if (done.length === want.size) return mine;
    if (Date.now() > until) throw new Error(`${want.size - done.length} of ${want.size} searches still unfinished after ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

/** A small search on Fashion-MNIST: the notebook's template shape (two convolutions and a dense
 *  layer, filters/units drawn from the given values) or, with `convs: false`, only pooling and dense
 *  layers: the cheapest model the template language trains, for scheduling benchmarks. */
export function smallSearch(o: {
  name: string; limit: number; maxTrials: number; maxParallelTrials?: number; epochs?: number; batchSize?: number;
  convs?: boolean; filters?: number[]; units?: number[]; seed?: number;
}) {
  const filters = o.filters ?? [8];
  const units = o.units ?? [16];
  const hyperparameters = o.convs === false
    ? [{ name: 'dense_units', type: 'int', min: units[0], max: units[units.length - 1] }]
    : [
        { name: 'conv_1_filter', type: 'choice', values: filters },
        { name: 'conv_2_filter', type: 'choice', values: filters },
        { name: 'dense_1_units', type: 'choice', values: units },
      ];
  const layers = o.convs === false
    ? [
        { type: 'maxPooling2d', poolSize: 4 },
        { type: 'flatten' },
        { type: 'dense', units: { hp: 'dense_units' }, activation: 'relu' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ]
    : [
        { type: 'conv2d', filters: { hp: 'conv_1_filter' }, kernelSize: 3, activation: 'relu' },
        { type: 'conv2d', filters: { hp: 'conv_2_filter' }, kernelSize: 3, activation: 'relu' },
        { type: 'flatten' },
        { type: 'dense', units: { hp: 'dense_1_units' }, activation: 'relu' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ];
  return {
    name: o.name,
    dataset: { id: 'fashion-mnist', limit: o.limit },
    algorithm: { name: 'random', seed: o.seed ?? 1 },
    budget: { maxTrials: o.maxTrials, maxParallelTrials: o.maxParallelTrials ?? 1 },
    training: { epochs: o.epochs ?? 1, batchSize: o.batchSize ?? 32, validationSplit: 0.1 },
    hyperparameters,
    model: { inputShape: [28, 28, 1], layers, optimizer: { type: 'adam', learningRate: 0.001 }, loss: 'sparseCategoricalCrossentropy' },
  };
}

// ---- memory ----

/** VmRSS of a process in KiB, or null once it has gone. */
export function rssKiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Every descendant of a process (children, their children, …). */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    let tasks: string[] = [];
    try { tasks = readdirSync(`/proc/${p}/task`); } catch { return; }
    for (const t of tasks) {
      let kids = '';
      try { kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8'); } catch { continue; }
      for (const k of kids.split(/\s+/).filter(Boolean).map(Number)) { out.push(k); visit(k); }
    }
  };
  visit(pid);
  return out;
}

export interface RssSample { t: number; self: number | null; children: number }

/** Samples a process's RSS and its descendants' (KiB) every intervalMs until stopped. */
export class RssSampler {
  readonly samples: RssSample[] = [];
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly pid: number, intervalMs = 1000) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }
  sample(): RssSample {
    const children = descendants(this.pid).reduce((sum, p) => sum + (rssKiB(p) ?? 0), 0);
    const s = { t: Date.now(), self: rssKiB(this.pid), children };
    this.samples.push(s);
    return s;
  }
  stop(): RssSample[] {
    clearInterval(this.timer);
    return this.samples;
  }
}

/** CPU time (user + system) a process has used so far, in seconds, with `reaped` the time of its
 *  children it has waited for (a worker's finished trial processes); null once it has gone. */
export function cpuSeconds(pid: number, reaped = false): number | null {
  try {
    // Fields after the command name (which may hold spaces): utime, stime, cutime, cstime are the 14th to 17th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return (f[11] + f[12] + (reaped ? f[13] + f[14] : 0)) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** CPU seconds of processes and all their descendants, finished or running. */
export const treeCpuSeconds = (pids: number[]) =>
  pids.reduce((sum, p) => sum + (cpuSeconds(p, true) ?? 0) + descendants(p).reduce((s, d) => s + (cpuSeconds(d) ?? 0), 0), 0);

/** Busy and total CPU time of the whole machine (every process, this checkout's or not), seconds. */
function machineCpu(): { busy: number; total: number } {
  const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user nice system idle iowait irq softirq steal
  return { busy: (total - v[3] - v[4]) / 100, total: total / 100 };
}

/** Who used the CPU over a stretch: the whole machine against this benchmark (its own process,
 *  autocannon included, plus the service's process trees); the rest is other work on the host. */
export class CpuMeter {
  private readonly t0 = performance.now();
  private readonly machine0 = machineCpu();
  private readonly own0: number;
  private readonly self0 = process.cpuUsage();
  constructor(private readonly pids: () => number[]) {
    this.own0 = treeCpuSeconds(pids());
  }
  read(): { cores: number; machineBusy: number; bench: number; service: number; others: number; text: string } {
    const wall = (performance.now() - this.t0) / 1000;
    const m = machineCpu();
    const cores = os.availableParallelism();
    const machineBusy = (m.busy - this.machine0.busy) / wall;
    const self = process.cpuUsage(this.self0);
    const client = (self.user + self.system) / 1e6 / wall;
    const service = (treeCpuSeconds(this.pids()) - this.own0) / wall;
    const others = Math.max(0, machineBusy - client - service);
    return {
      cores, machineBusy, bench: client, service, others,
      text: `CPU over ${wall.toFixed(0)} s, in cores of ${cores}: machine ${machineBusy.toFixed(2)} busy = service ${service.toFixed(2)} + bench client ${client.toFixed(2)} + other work ${others.toFixed(2)}`,
    };
  }
}

export const mib = (kib: number) => (kib / 1024).toFixed(1);
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

// ---- machine ----

export function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** The 1/5/15-minute load averages, as uptime prints them. */
export const load = () => os.loadavg().map((l) => l.toFixed(2)).join(', ');
