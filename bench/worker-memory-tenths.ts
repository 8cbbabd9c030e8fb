// The worker-memory benchmark's long-run view (issue 15): the run cut into tenths by completed
// trials, each tenth's low-water RSS (the worker's minimum RSS: what it keeps between trials once the
// garbage collector has run) and live JS heap after a forced GC, and a least-squares fit of both over
// the 2nd..last tenths (the 1st is the heap and the allocator settling). Pure: reads a saved run.
import type { HeapProbe } from './heap-probe.js';
import type { RssSample } from './memory.js';
import { mean, mib } from './stats.js';

/** What `--out` writes and `--analyze` reads back; written again after each tenth, so a run cut short still has its tenths. */
export interface WorkerMemoryRun {
  trials: number;
  startedAt: number;
  /** boundaries[k]: when the search's completed trials first reached tenthEnd(k + 1). */
  boundaries: number[];
  samples: RssSample[];
  heaps: HeapProbe[];
  machine: string;
  loadBefore: string;
  env: { MALLOC_ARENA_MAX: string | null };
}

export interface Tenth { index: number; firstTrial: number; lastTrial: number; seconds: number; lowRssKiB: number; heapKiB: number | null; childPeakKiB: number }

/** The number of completed trials that ends tenth k (1..10). */
export const tenthEnd = (n: number, k: number) => Math.round((k * n) / 10);

export function tenths(run: WorkerMemoryRun): Tenth[] {
  let from = run.startedAt;
  return run.boundaries.map((to, i) => {
    const rss = run.samples.filter((s) => s.t >= from && s.t < to && s.self !== null);
    const heaps = run.heaps.filter((h) => h.t >= from && h.t < to);
    const t: Tenth = {
      index: i + 1, firstTrial: tenthEnd(run.trials, i) + 1, lastTrial: tenthEnd(run.trials, i + 1), seconds: (to - from) / 1000,
      lowRssKiB: Math.min(...rss.map((s) => s.self!)),
      heapKiB: heaps.length ? Math.min(...heaps.map((h) => h.usedKiB)) : null,
      childPeakKiB: Math.max(0, ...rss.map((s) => s.children)),
    };
    from = to;
    return t;
  });
}

export interface Growth { kibPerTrial: number; mibPer100: number; pctPer100: number; fittedStartKiB: number; span: [number, number] }

/** Least-squares growth of one measure over tenths 2..last, against each tenth's middle trial; null under 2 points. */
export function fitGrowth(ts: Tenth[], value: (t: Tenth) => number | null): Growth | null {
  const pts = ts.slice(1).flatMap((t) => {
    const y = value(t);
    return y === null || !Number.isFinite(y) ? [] : [{ x: (t.firstTrial + t.lastTrial) / 2, y }];
  });
  if (pts.length < 2) return null;
  const mx = mean(pts.map((p) => p.x));
  const my = mean(pts.map((p) => p.y));
  const slope = pts.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / pts.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const fittedStartKiB = my + slope * (pts[0].x - mx);
  return { kibPerTrial: slope, mibPer100: (slope * 100) / 1024, pctPer100: (100 * slope * 100) / fittedStartKiB, fittedStartKiB, span: [pts[0].x, pts[pts.length - 1].x] };
}

const signed = (x: number, digits = 2) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
export const growthText = (g: Growth | null) => g ? `${signed(g.mibPer100)} MiB/100 trials (${signed(g.pctPer100, 1)}% of ${mib(g.fittedStartKiB)} MiB per 100 trials)` : 'n/a (needs 3 tenths)';

export function tenthLine(t: Tenth): string {
  return `tenth ${t.index} (trials ${t.firstTrial}-${t.lastTrial}, ${t.seconds.toFixed(0)} s): low-water RSS ${mib(t.lowRssKiB)} MiB, ` +
    `live heap after GC ${t.heapKiB === null ? 'n/a' : mib(t.heapKiB)} MiB, trial child peak ${mib(t.childPeakKiB)} MiB`;
}

/** The analysis `--analyze` prints and a finished run appends: one line per tenth, the fits, a verdict and a RESULTS.md row. */
export function analysis(run: WorkerMemoryRun): string[] {
  const ts = tenths(run);
  const rss = fitGrowth(ts, (t) => t.lowRssKiB);
  const heap = fitGrowth(ts, (t) => t.heapKiB);
  const lines = ts.map(tenthLine);
  lines.push(`growth over tenths 2..${ts.length}: low-water RSS ${growthText(rss)}; live heap ${growthText(heap)}`);
  // 1 MiB per 100 trials is 10 MiB per 1,000: below that the floor is flat within the sampling's noise.
  if (rss) {
    lines.push(rss.mibPer100 < 1
      ? 'verdict: the low-water RSS is flat: no leak'
      : heap && heap.mibPer100 > rss.mibPer100 / 2
        ? 'verdict: the low-water RSS GROWS, and the live JS heap with it: JS objects accumulate in the worker'
        : 'verdict: the low-water RSS GROWS while the live JS heap does not: native memory or allocator fragmentation (try MALLOC_ARENA_MAX=2)');
  }
  const first = ts[0];
  const last = ts[ts.length - 1];
  if (first && last) {
    lines.push('', '| trials (tenths done) | MALLOC_ARENA_MAX | low-water RSS MiB tenth 1 → 2 → last | live heap MiB tenth 2 → last | RSS growth MiB/100 trials (%) | heap growth MiB/100 trials | load before |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- |');
    const heapOf = (t?: Tenth) => (t?.heapKiB == null ? 'n/a' : mib(t.heapKiB));
    lines.push(`| ${run.trials} (${ts.length}/10) | ${run.env.MALLOC_ARENA_MAX ?? 'unset'} | ${mib(first.lowRssKiB)} → ${ts[1] ? mib(ts[1].lowRssKiB) : 'n/a'} → ${mib(last.lowRssKiB)} | ` +
      `${heapOf(ts[1])} → ${heapOf(last)} | ${rss ? `${signed(rss.mibPer100)} (${signed(rss.pctPer100, 1)}%)` : 'n/a'} | ${heap ? signed(heap.mibPer100) : 'n/a'} | ${run.loadBefore} |`);
  }
  return lines;
}
