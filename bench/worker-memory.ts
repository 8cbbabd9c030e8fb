// npm run bench:worker-memory -- [--trials 50] [--limit 64] [--backend auto] [--timeout 600] [--out run.json]
// npm run bench:worker-memory -- --analyze run.json   (the tenths and growth fit of a saved, possibly unfinished, run)
// Does a trial worker leak across trials? Starts the service (API + one trial-worker process,
// concurrency 1, fresh SQLite database), runs one search of `--trials` consecutive small trials
// (maxParallelTrials 1, `--limit` images, 1 epoch, max-pooling + dense 8..8+max(99, 2n) units,
// so the random oracle never runs out of combinations), and reads the worker's VmRSS and its descendants' (the trial child
// processes) from /proc every 500 ms, and every 5 s the worker's live JS heap after a forced GC
// (bench/heap-probe.ts, preloaded with --expose-gc). Prints each tenth of the run as it completes
// (bench/worker-memory-tenths.ts: low-water RSS, live heap) and fits their growth. Reports the worker's RSS between trials after trial 5 and
// after the last, a least-squares slope over trials 5..last, and each trial child's peak RSS.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { CpuMeter } from './cpu.js';
import { load, machine } from './machine.js';
import { RssSampler, type RssSample } from './memory.js';
import type { HeapProbe } from './heap-probe.js';
import { listAll, startService } from './service.js';
import { smallSearch } from './small-search.js';
import { mean, mib } from './stats.js';
import { analysis, tenthEnd, tenthLine, tenths, type WorkerMemoryRun } from './worker-memory-tenths.js';

const { values: args } = parseArgs({
  options: {
    trials: { type: 'string', default: '50' },
    limit: { type: 'string', default: '64' },
    backend: { type: 'string', default: 'auto' },
    timeout: { type: 'string', default: '600' },
    out: { type: 'string' },
    analyze: { type: 'string' },
  },
});
if (args.analyze) {
  console.log(analysis(JSON.parse(readFileSync(args.analyze, 'utf8')) as WorkerMemoryRun).join('\n'));
  process.exit(0);
}
const n = Number(args.trials);
if (n < 6) throw new Error('--trials must be at least 6 (trial 5 is the reference)');

console.log(`machine: ${machine()}; load averages ${load()}`);
const probe = fileURLToPath(new URL('./heap-probe.ts', import.meta.url));
const service = await startService({
  name: 'worker-memory', workers: 1, backend: args.backend, env: { WORKER_CONCURRENCY: '1' }, workerNodeArgs: ['--expose-gc', '--import', probe],
});
let failed = false;
try {
  const workerProcess = service.workers[0];
  const worker = workerProcess.pid!;
  const loadBefore = load();
  const heaps: HeapProbe[] = [];
  workerProcess.on('message', (m: { heapProbe?: HeapProbe }) => { if (m.heapProbe) heaps.push(m.heapProbe); });
  const sampler = new RssSampler(worker, 500);
  // The callback takes a send error (the worker gone): the run's own checks report that.
  const heapTimer = setInterval(() => { if (workerProcess.connected) workerProcess.send('heap-probe', () => undefined); }, 5000);
  const cpu = new CpuMeter(() => [service.api.pid!, worker]);
  const t0 = Date.now();
  const run: WorkerMemoryRun = { trials: n, startedAt: t0, boundaries: [], samples: sampler.samples, heaps, machine: machine(), loadBefore, env: { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? null } };
  const save = () => { if (args.out) writeFileSync(args.out, JSON.stringify(run)); };
  const { id } = await service.call('POST', '/searches', smallSearch({ name: 'worker-memory', limit: Number(args.limit), maxTrials: n, maxParallelTrials: 1, convs: false, units: [8, 8 + Math.max(99, 2 * n)] }));
  // Polls the search every 2 s: a tenth ends when its last trial has completed.
  let search: any;
  for (const until = t0 + Number(args.timeout) * 1000; ; await sleep(2000)) {
    search = await service.call('GET', `/searches/${id}`);
    while (run.boundaries.length < 10 && search.trials.completed >= tenthEnd(n, run.boundaries.length + 1)) {
      run.boundaries.push(Date.now());
      const ts = tenths(run);
      console.log(`${new Date().toISOString()} ${tenthLine(ts[ts.length - 1])}; load ${load()}`);
      save();
    }
    if (search.status !== 'queued' && search.status !== 'running') break;
    if (Date.now() > until) throw new Error(`the search is unfinished after ${args.timeout} s (${search.trials.completed} trials completed)`);
  }
  await sleep(2000); // the worker's state after the last trial
  clearInterval(heapTimer);
  const samples = sampler.stop();
  save();
  const used = cpu.read();
  const wallS = (Date.now() - t0) / 1000;
  const trials = await listAll(service, `/searches/${id}/trials`, 'trials');
  trials.sort((a, b) => a.number - b.number);
  const done = trials.filter((t) => t.status === 'completed');
  if (search.status !== 'completed' || done.length !== n) {
    failed = true;
    console.error(`FAILED: search ${search.status} (${search.error}), ${done.length} of ${n} trials completed`);
  }
  // After trial k: the worker's own RSS between trial k's end and trial k+1's start (the child has exited).
  const between = (from: number, to: number) => samples.filter((s) => s.t >= from && s.t < to && s.self !== null);
  const after = trials.map((t, i) => {
    const end = Date.parse(t.finishedAt);
    const next = trials[i + 1]?.startedAt ? Date.parse(trials[i + 1].startedAt) : Infinity;
    const idle = between(end, next);
    const self = idle.length ? mean(idle.map((s) => s.self!)) : between(end, Infinity)[0]?.self ?? NaN;
    const prevEnd = i > 0 ? Date.parse(trials[i - 1].finishedAt) : t0;
    const childPeak = Math.max(0, ...between(prevEnd, end + 1).map((s: RssSample) => s.children));
    return { number: t.number, self, childPeak };
  });
  const ref = after[4];
  const last = after[after.length - 1];
  // Least-squares slopes of the worker's RSS, KiB per trial: over trials 5..n, and over the second half
  // (after the garbage collector's early settling, a leak shows there as a steady climb).
  const slopeOf = (from: number) => {
    const pts = after.filter((a) => a.number >= from && Number.isFinite(a.self));
    const mx = mean(pts.map((p) => p.number));
    const my = mean(pts.map((p) => p.self));
    return pts.reduce((s, p) => s + (p.number - mx) * (p.self - my), 0) / pts.reduce((s, p) => s + (p.number - mx) ** 2, 0);
  };
  const slope = slopeOf(5);
  const half = Math.ceil(n / 2);
  const lateSlope = slopeOf(half);
  const selfAll = samples.flatMap((s) => (s.self === null ? [] : [s.self]));
  const totalPeak = Math.max(...samples.map((s) => (s.self ?? 0) + s.children));
  console.log(`\n${done.length}/${n} trials completed in ${wallS.toFixed(0)} s (${(wallS / n).toFixed(2)} s per trial); load averages ${loadBefore} → ${load()}`);
  console.log(used.text);
  console.log(`worker RSS MiB after each trial: ${after.map((a) => mib(a.self)).join(', ')}`);
  console.log(`trial child peak RSS MiB per trial: ${after.map((a) => mib(a.childPeak)).join(', ')}`);
  const growth = last.self - ref.self;
  console.log(`\nworker RSS after trial 5: ${mib(ref.self)} MiB; after trial ${last.number}: ${mib(last.self)} MiB (${growth >= 0 ? '+' : ''}${mib(growth)} MiB); ` +
    `slope over trials 5..${last.number}: ${slope.toFixed(1)} KiB/trial, over ${half}..${last.number}: ${lateSlope.toFixed(1)} KiB/trial; worker RSS min/max over the run ${mib(Math.min(...selfAll))}/${mib(Math.max(...selfAll))} MiB`);
  console.log(`trial child peak RSS: trial 5 ${mib(ref.childPeak)} MiB, trial ${last.number} ${mib(last.childPeak)} MiB; worker + children peak ${mib(totalPeak)} MiB`);
  // Node's heap moves by a few MiB with the garbage collector; a leak shows as a steady slope.
  // The largest fall between consecutive trials after trial 5: the garbage collector giving memory back.
  const drop = after.slice(5).reduce((d, a, i) => (after[i + 4].self - a.self > d.size ? { size: after[i + 4].self - a.self, at: a.number } : d), { size: 0, at: 0 });
  const grows = growth > 8 * 1024 && slope * (last.number - 5) > 8 * 1024;
  if (drop.size > 8 * 1024) console.log(`largest fall: ${mib(drop.size)} MiB before trial ${drop.at}'s end (memory given back by a major GC)`);
  const creeps = lateSlope * (last.number - 5) > 8 * 1024;
  console.log(grows
    ? `verdict: the worker's RSS GROWS: +${mib(growth)} MiB over ${last.number - 5} trials (${slope.toFixed(0)} KiB per trial)` +
      (drop.size > 8 * 1024 ? `, though it fell back by ${mib(drop.size)} MiB at trial ${drop.at}: a sawtooth; run longer to see whether its floor rises` : '')
    : creeps
      ? `verdict: no net growth from trial 5 to ${last.number} (${mib(growth)} MiB), but the RSS climbs ${lateSlope.toFixed(0)} KiB per trial over trials ${half}..${last.number}: ` +
        `run longer (--trials 200) to tell a slow leak from the heap settling`
      : `verdict: no growth: ${mib(growth)} MiB over ${last.number - 5} trials (within 8 MiB of GC noise), ${lateSlope.toFixed(0)} KiB per trial over the second half`);
  console.log(`\n| trials | wall s | worker RSS MiB after trial 5 → after trial ${last.number} | slope KiB/trial (5..n / second half) | trial child peak RSS MiB (trial 5 → ${last.number}) | CPU cores: service / other work | load averages before → after |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  console.log(`| ${done.length}/${n} | ${wallS.toFixed(0)} | ${mib(ref.self)} → ${mib(last.self)} | ${slope.toFixed(1)} / ${lateSlope.toFixed(1)} | ${mib(ref.childPeak)} → ${mib(last.childPeak)} | ${used.service.toFixed(2)} / ${used.others.toFixed(2)} | ${loadBefore} → ${load()} |`);
  console.log(`\nthe run in tenths${args.out ? ` (saved to ${args.out})` : ''}:\n${analysis(run).join('\n')}`);
} finally {
  await service.stop();
}
if (failed) process.exitCode = 1;
