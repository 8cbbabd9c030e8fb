// What the benchmarks ran on, printed with their results.
import os from 'node:os';
import { Worker } from 'node:worker_threads';

export function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** The 1/5/15-minute load averages, as uptime prints them. */
export const load = () => os.loadavg().map((l) => l.toFixed(2)).join(', ');

/**
 * A warning when the machine is busy (1-minute load above half its cores), or undefined. PyTorch's
 * OpenMP threads spin-wait at each barrier: with the cores taken they collapse (on the 2-core
 * development machine at load 9: 77 samples/s on 2 threads against 579 on 1), so a baseline
 * measured on a busy machine says nothing about either side.
 */
export function busyWarning(): string | undefined {
  const [one] = os.loadavg();
  const cores = os.availableParallelism();
  return one > cores / 2 ? `WARNING: load ${one.toFixed(2)} on ${cores} cores: busy machine, these numbers are not comparable (measure on a quiet one)` : undefined;
}

/** What `preemption` measured: per thread, the time it was switched out for longer than `gapMs` at a stretch. */
export interface Preemption { threads: number; ms: number; gapMs: number; gaps: number; lostMs: number; longestMs: number }

// A thread that reads the clock in a loop sees a gap wherever it was off its core. Why a probe:
// on the shared 2-core machines a two-thread kernel now and then waits milliseconds for its
// second thread (bench:kernels' median against mean), and the load average does not show it.
const SPINNER = `
const { parentPort, workerData: { ms, gapMs } } = require('node:worker_threads');
const start = performance.now();
let prev = start, gaps = 0, lostMs = 0, longestMs = 0;
for (let t = start; t - start < ms; t = performance.now()) {
  const gap = t - prev;
  if (gap > gapMs) { gaps++; lostMs += gap; longestMs = Math.max(longestMs, gap); }
  prev = t;
}
parentPort.postMessage({ gaps, lostMs, longestMs });`;

/** Spins `threads` threads (one per core by default) for `ms` and adds up the gaps each saw. */
export async function preemption(ms = 1000, threads = os.availableParallelism(), gapMs = 0.5): Promise<Preemption> {
  const runs = await Promise.all(Array.from({ length: threads }, () => new Promise<Omit<Preemption, 'threads' | 'ms' | 'gapMs'>>((resolve, reject) => {
    const worker = new Worker(SPINNER, { eval: true, workerData: { ms, gapMs } });
    worker.once('message', resolve);
    worker.once('error', reject);
  })));
  return {
    threads, ms, gapMs, gaps: runs.reduce((n, r) => n + r.gaps, 0),
    lostMs: runs.reduce((n, r) => n + r.lostMs, 0), longestMs: Math.max(...runs.map((r) => r.longestMs)),
  };
}

/** "2 threads spinning 1 s lost 1.3 % to other work (59 gaps over 0.5 ms, longest 5.8 ms)". */
export const describePreemption = (p: Preemption): string =>
  `${p.threads} threads spinning ${p.ms / 1000} s lost ${((100 * p.lostMs) / (p.threads * p.ms)).toFixed(1)} % to other work ` +
  `(${p.gaps} gaps over ${p.gapMs} ms, longest ${p.longestMs.toFixed(1)} ms)`;
