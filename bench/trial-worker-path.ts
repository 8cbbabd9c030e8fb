// bench:trial --worker-path: the whole overhead of a trial as production pays it, process start
// included. A real trial worker (workers/trial-worker.ts, BullMQ on the local Redis, a fresh SQLite
// store) runs searches of T trials of the notebook's best model in sequence (maxParallelTrials 1,
// so each trial's job is enqueued by the previous one's scheduler advance); blocks of each mode (the
// spare trial process on or off, TRIAL_SPARE_PROCESS; trial processes bundled or through tsx,
// TRIAL_CHILD_BUNDLE) alternate, each with a freshly started worker.
// Per trial, the span is from the previous trial's job completing (the first trial: its job being
// added) to its own job completing; overhead = span − the epochs' durationMs (validation included).
// The span is split with the BullMQ job times, the trial process's and worker's debug timing lines
// and the runner's log lines (all wall clock, ms).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { NOTEBOOK_BEST_HPS, referenceSearch } from '../test/fixtures/reference-search.js';
import { spawnScript } from '../test/support/node-script.js';
import { stopChild } from '../test/support/process-tree.js';
import { waitFor } from '../test/support/wait.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createCore, type Core } from '../src/wiring.js';

/** How a block's worker runs its trial processes. */
export interface Mode { spare: boolean; bundle: boolean }

export interface PathOptions { trials: number; rounds: number; limit: number; backend: string; modes: Mode[] }

/** One trial's span split into steps (ms); `overheadMs` = span − epochs. */
export interface TrialSplit extends Mode {
  index: number; spanMs: number; epochMs: number; overheadMs: number;
  steps: Record<string, number>;
}

/** The steps in span order; they add up to the span (`fit outside epochs` holds fit()'s own setup and the epoch-end DB writes). */
export const STEPS = [
  'hand-off', 'process ready + assignment', 'store open', 'runner start (DB)', 'plan (DB)', 'dataset load', 'model build',
  'fit outside epochs', 'artifact save', 'model + final state (DB)', 'store close + exit', 'scheduler advance', 'job completion',
] as const;

/** Timed too, but not parts of the span: the warm-up inside the first epoch, a spare's start before its trial. */
export const ASIDE = ['first batch − median batch (in the epoch)', 'process start → backend ready', 'spare: store open + read-ahead'] as const;

type Line = Record<string, any>;

function request(trials: number, limit: number) {
  const req = referenceSearch();
  req.name = 'bench-trial-overhead';
  req.dataset = { id: 'fashion-mnist', limit };
  req.algorithm = { name: 'grid', seed: 1 };
  req.budget = { maxTrials: trials, maxParallelTrials: 1 };
  req.training = { epochs: 1, batchSize: 32, validationSplit: 0.1 };
  // The same model every trial; the learning rates differ only so the grid has T points (same compute).
  req.hyperparameters = Object.entries(NOTEBOOK_BEST_HPS).map(([name, v]) => ({
    name, type: 'choice' as const, values: name === 'learning_rate' ? Array.from({ length: trials }, (_, i) => +(v * (1 + i / 100)).toFixed(6)) : [v],
  }));
  return req;
}

/** One block: a fresh worker in one mode, one search of `trials` trials, then the worker stops. */
async function block(core: Core, env: NodeJS.ProcessEnv, { spare, bundle }: Mode, opts: PathOptions): Promise<TrialSplit[]> {
  const worker = spawnScript('workers/trial-worker.ts', { ...env, TRIAL_SPARE_PROCESS: String(spare), TRIAL_CHILD_BUNDLE: String(bundle) }, ['ignore', 'pipe', 'inherit']);
  const lines: Line[] = [];
  let ready: () => void = () => undefined;
  const started = new Promise<void>((r) => { ready = r; });
  createInterface({ input: worker.stdout! }).on('line', (text) => {
    try {
      const l = JSON.parse(text) as Line;
      lines.push(l);
      if (l.msg === 'trial worker ready') ready();
      if (l.level >= 50) console.error(text);
    } catch { /* not a log line */ }
  });
  try {
    await Promise.race([started, new Promise((_, reject) => worker.once('exit', () => reject(new Error('the worker exited before it was ready'))))]);
    const search = await core.searches.create(request(opts.trials, opts.limit));
    await waitFor(() => core.store.getSearch(search.id), (s) => s?.status !== 'queued' && s?.status !== 'running', 300_000 * opts.trials, 'the search to end', 500);
    const trials = (await core.store.listTrialsWithEpochs(search.id)).sort((a, b) => a.number - b.number);
    // The last job completes after the scheduler's advance that ended the search.
    await waitFor(async () => (await core.queue.queue.getJob(trials.at(-1)!.id))?.finishedOn, (f) => !!f, 30_000, 'the last job to complete');
    const out: TrialSplit[] = [];
    let previousEnd: number | null = null;
    for (const t of trials) {
      if (t.status !== 'completed') throw new Error(`trial ${t.number} ended ${t.status}: ${t.error}`);
      const job = (await core.queue.queue.getJob(t.id))!;
      const of = (msg: string) => {
        const l = lines.find((x) => x.msg === msg && x.trialId === t.id);
        if (!l) throw new Error(`no '${msg}' line for trial ${t.number}`);
        return l;
      };
      const marks = of('trial process timings').marks as Record<string, number>;
      const jobTimes = of('trial job timings');
      const started = of('trial started').time as number;
      const done = of('execution done');
      const p = done.phases as Record<string, number>;
      const finished = of('trial completed').time as number;
      const epochMs = t.epochs.reduce((sum, e) => sum + e.durationMs, 0);
      const from = previousEnd ?? job.timestamp;
      const trainStart = done.time - p.loadMs - p.buildMs - p.fitMs - p.saveMs;
      const steps: Record<(typeof STEPS)[number], number> = {
        'hand-off': job.processedOn! - from,
        // A spare opened its store before its trial was assigned; a cold process after it started.
        'process ready + assignment': (marks.assigned ?? marks.backendReady) - job.processedOn!,
        'store open': Math.max(0, marks.storeOpen - (marks.assigned ?? marks.backendReady)),
        'runner start (DB)': started - Math.max(marks.storeOpen, marks.assigned ?? 0),
        'plan (DB)': trainStart - started,
        'dataset load': p.loadMs, 'model build': p.buildMs, 'fit outside epochs': p.fitMs - epochMs, 'artifact save': p.saveMs,
        'model + final state (DB)': finished - done.time,
        'store close + exit': jobTimes.ranAt - finished,
        'scheduler advance': jobTimes.advancedAt - jobTimes.ranAt,
        'job completion': job.finishedOn! - jobTimes.advancedAt,
      };
      const spanMs = job.finishedOn! - from;
      out.push({
        spare, bundle, index: t.number, spanMs, epochMs: Math.round(epochMs), overheadMs: Math.round(spanMs - epochMs),
        steps: { ...steps, [ASIDE[0]]: (p.firstBatchMs ?? 0) - (p.medianBatchMs ?? 0), [ASIDE[1]]: marks.backendReady - marks.start, [ASIDE[2]]: marks.readAhead ? marks.readAhead - marks.backendReady : 0 },
      });
      previousEnd = job.finishedOn!;
    }
    return out;
  } finally {
    await stopChild(worker);
  }
}

/** Runs `rounds` rounds of a block per mode (in the given order, then reversed, and so on). */
export async function runWorkerPath(opts: PathOptions, onBlock: (splits: TrialSplit[]) => void): Promise<TrialSplit[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-trial-path-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env, DATABASE_URL: `file:${path.join(dir, 'bench.db')}`, QUEUE_PREFIX: `bench-trial-${process.pid}`,
    TRAINING_BACKEND: opts.backend, LOG_LEVEL: 'debug', RATE_LIMIT_SEARCHES_PER_MINUTE: '0', SEARCH_QUOTA_RUNNING: '0',
  };
  const config = loadConfig(env);
  const core = await createCore(config, createLogger('warn', 'bench'));
  const all: TrialSplit[] = [];
  try {
    for (let round = 0; round < opts.rounds; round++) {
      for (const mode of round % 2 === 0 ? opts.modes : [...opts.modes].reverse()) {
        const splits = await block(core, env, mode, opts);
        onBlock(splits);
        all.push(...splits);
      }
    }
  } finally {
    await core.queue.queue.obliterate({ force: true }).catch(() => undefined);
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return all;
}
