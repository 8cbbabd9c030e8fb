// npm run bench:scheduler-memory -- [--trials 1000] [--repeats 3]
// The worker's bookkeeping between trials, without training: each trial goes waiting → running →
// one epoch → completed through the real PrismaStore (a fresh SQLite file), then
// Scheduler.advance plans the next, as the trial worker does after each trial child exits. Two
// modes, each in its own fresh process, interleaved `--repeats` times:
//   history    the Scheduler as it is (src/services/trial-history.ts: reads only new and unfinished trials)
//   full-read  the baseline: every advance re-reads the whole search (what the Scheduler did before)
// Reports, per mode, the process's RSS and V8 heap (sampled after a forced GC every 50 trials): at
// trial 100 (after start-up settles), and how far above that they rose by the last trial; the median and spread over the repeats.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import pino from 'pino';
import type { Store } from '../src/ports/store.js';
import { Scheduler } from '../src/services/scheduler.js';
import { SearchService } from '../src/services/search-service.js';
import { migrate } from '../src/store/migrate.js';
import { openPrismaStore } from '../src/store/prisma-store.js';
import { load, machine } from './machine.js';
import { ArrayTrialQueue, BENCH_LIMITS } from './search-harness.js';
import { smallSearch } from './small-search.js';
import { quantile } from './stats.js';

const MODES = ['history', 'full-read'] as const;
type Mode = (typeof MODES)[number];
interface Sample { trial: number; rssMiB: number; heapTotalMiB: number; heapUsedMiB: number }

const { values: args } = parseArgs({
  options: { trials: { type: 'string', default: '1000' }, repeats: { type: 'string', default: '3' }, child: { type: 'string' } },
});
const trials = Number(args.trials);

/** One run in this process: samples every 50 trials, printed as one JSON line. */
async function child(mode: Mode): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'scheduler-memory-'));
  const url = `file:${join(dir, 'db.sqlite')}`;
  await migrate(url);
  const store = await openPrismaStore(url);
  // The baseline's store answers the incremental read with every trial, as a full re-read did.
  const read: Store = mode === 'full-read' ? Object.create(store, { listTrialsSince: { value: (id: string) => store.listTrials(id) } }) : store;
  const queue = new ArrayTrialQueue();
  const scheduler = new Scheduler(read, queue.asTrialQueue(), pino({ level: 'warn' }));
  const service = new SearchService(store, scheduler, queue.asTrialQueue(), BENCH_LIMITS);
  const request = smallSearch({ name: 'scheduler-memory', limit: 64, maxTrials: trials, convs: false, units: [8, 8 + 2 * trials] });
  const { id } = await service.create(request as Parameters<SearchService['create']>[0]);
  await scheduler.advance(id);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const samples: Sample[] = [];
  for (let n = 1; n <= trials; n++) {
    const trialId = queue.pending.shift();
    if (!trialId) throw new Error(`no trial queued after ${n - 1} trials`);
    await store.updateTrialIf(trialId, ['waiting'], { status: 'running', startedAt: new Date(), backend: 'cpu', heartbeatAt: new Date() });
    await store.recordEpoch({ trialId, epoch: 1, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5, durationMs: 100 });
    await store.updateTrialIf(trialId, ['running'], { status: 'completed', finishedAt: new Date(), valAccuracy: 0.5, value: 0.5 });
    await scheduler.advance(id);
    if (n % 50 === 0) {
      gc();
      const mib = (b: number) => b / 1048576;
      samples.push({ trial: n, rssMiB: mib(process.memoryUsage().rss), heapTotalMiB: mib(v8.getHeapStatistics().total_heap_size), heapUsedMiB: mib(v8.getHeapStatistics().used_heap_size) });
    }
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify(samples));
}

function spawnRun(mode: Mode): Sample[] {
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', mode, '--trials', String(trials)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Sample[];
}

async function main(): Promise<void> {
  if (trials < 100 || trials % 50 !== 0) throw new Error('--trials must be a multiple of 50, at least 100');
  console.log(`machine: ${machine()}; load averages ${load()}; ${trials} trials per run, ${args.repeats} runs per mode, interleaved`);
  const runs: Record<Mode, Sample[][]> = { history: [], 'full-read': [] };
  for (let r = 0; r < Number(args.repeats); r++) {
    for (const mode of r % 2 === 0 ? MODES : [...MODES].reverse()) {
      const t0 = Date.now();
      const samples = spawnRun(mode);
      runs[mode].push(samples);
      const [first, last] = [samples[0], samples.at(-1)!];
      console.log(`run ${r + 1} ${mode}: ${((Date.now() - t0) / 1000).toFixed(0)} s; RSS ${first.rssMiB.toFixed(1)} → ${last.rssMiB.toFixed(1)} MiB, heap ${first.heapTotalMiB.toFixed(1)} → ${last.heapTotalMiB.toFixed(1)} MiB (used ${last.heapUsedMiB.toFixed(1)}); every 50: ${samples.map((s) => s.rssMiB.toFixed(0)).join(' ')}`);
    }
  }
  const cell = (values: number[]) => `${quantile(values, 0.5).toFixed(1)} (${Math.min(...values).toFixed(1)}..${Math.max(...values).toFixed(1)})`;
  // A re-read history shows as a sawtooth (V8 grows its heap, then gives some back): its peak, not its last value, is what a worker must hold.
  const rise = (mode: Mode, key: 'rssMiB' | 'heapTotalMiB') => runs[mode].map((s) => Math.max(...s.map((x) => x[key])) - s[1][key]);
  console.log(`\n| mode | RSS at trial 100, MiB | highest RSS above it, MiB | V8 heap: highest above trial 100, MiB | live heap at ${trials}, MiB |`);
  console.log('| --- | --- | --- | --- | --- |');
  for (const mode of MODES) {
    console.log(`| ${mode} | ${cell(runs[mode].map((s) => s[1].rssMiB))} | ${cell(rise(mode, 'rssMiB'))} | ${cell(rise(mode, 'heapTotalMiB'))} | ${cell(runs[mode].map((s) => s.at(-1)!.heapUsedMiB))} |`);
  }
  console.log(`(median (min..max) of ${args.repeats} runs; load averages after: ${load()})`);
}

if (args.child) await child(args.child as Mode);
else await main();
