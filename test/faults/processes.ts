// Real processes for fault tests: workers and the API run as `node --import tsx …` with their own
// environment (a temporary SQLite file, a queue prefix of their own, fast fault timings), so a
// test can kill -9 them, send SIGTERM, or restart Redis under them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { TrialWithEpochs } from '../../src/ports/search-store.js';
import { createCore, type Core } from '../../src/wiring.js';
import { spawnScript } from '../support/node-script.js';
import { SPARE_ARG } from '../../workers/trial-protocol.js';
import { descendants, killTree } from '../support/process-tree.js';

/** Fast timings: a lost worker's job is re-queued within ~3 s, a silent trial is stale after 2 s. */
export const FAST_FAULTS = {
  LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '1000', HEARTBEAT_INTERVAL_MS: '300',
  TRIAL_STALE_MS: '2000', RECONCILE_INTERVAL_MS: '1000', SHUTDOWN_GRACE_MS: '30000',
};

export interface Cluster {
  env: Record<string, string>;
  config: Config;
  /** The test's own store, queue and scheduler on the same database and Redis (acts as the API). */
  core: Core;
  dir: string;
  start(script: 'workers/trial-worker.ts' | 'src/server.ts', env?: Record<string, string>): Proc;
  trials(searchId: string): Promise<TrialWithEpochs[]>;
  close(): Promise<void>;
}

export interface Proc {
  proc: ChildProcess;
  log: string;
  exited: Promise<number | string | null>;
}

export async function startCluster(env: Record<string, string> = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'hypertune-faults-'));
  const full: Record<string, string> = {
    LOG_LEVEL: 'info', TRAINING_BACKEND: 'wasm', TRAINING_THREADS: '1', ...FAST_FAULTS, ...env,
    DATABASE_URL: `file:${join(dir, 'test.db')}`, QUEUE_PREFIX: `faults-${randomUUID().slice(0, 8)}`,
  };
  const config = loadConfig({ ...process.env, ...full });
  const core = await createCore(config, createLogger('silent', 'test'));
  const procs: Proc[] = [];
  return {
    env: full, config, core, dir,
    start(script, extra = {}) {
      const log = join(dir, `${script.replace(/\W/g, '-')}-${procs.length}.log`);
      const fd = openSync(log, 'a');
      const proc = spawnScript(script, { ...process.env, ...full, ...extra }, ['ignore', fd, fd]);
      closeSync(fd);
      const exited = new Promise<number | string | null>((r) => proc.once('exit', (code, signal) => r(signal ?? code)));
      const p = { proc, log, exited };
      procs.push(p);
      return p;
    },
    async trials(searchId) {
      return core.store.listTrialsWithEpochs(searchId);
    },
    async close() {
      for (const p of procs) await killTree(p.proc);
      await core.queue.queue.obliterate({ force: true }).catch(() => undefined);
      await core.close();
      if (process.env.KEEP_FAULT_LOGS) console.log(`fault test logs in ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The trial child a worker runs now: the process whose command line names trial-child, not the
 * spare waiting for the next trial (a spare given its trial retitles itself, dropping SPARE_ARG).
 */
export function trialChildOf(workerPid: number): number | null {
  for (const pid of descendants(workerPid)) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('trial-child') && !cmdline.includes(SPARE_ARG)) return pid;
    } catch { /* exited */ }
  }
  return null;
}

/** A private, non-persistent redis-server (so a restart loses every job, as in production without persistence). */
export function startRedis(port: number): ChildProcess {
  const proc = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') return proc;
    spawnSync('sleep', ['0.1']);
  }
  throw new Error(`redis-server on ${port} did not start`);
}

/** Each epoch number once, 1..n: no epoch lost or counted twice. */
export function epochNumbers(t: TrialWithEpochs): number[] {
  return t.epochs.map((e) => e.epoch);
}

export const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
