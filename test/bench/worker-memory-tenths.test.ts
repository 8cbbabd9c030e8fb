import { describe, expect, it } from 'vitest';
import { analysis, fitGrowth, tenthEnd, tenths, type WorkerMemoryRun } from '../../bench/worker-memory-tenths.js';

/** A synthetic run: one trial a second, RSS sampled every 100 ms as a sawtooth whose floor is `floor(trial)` KiB. */
function run(n: number, floor: (trial: number) => number, heap: (trial: number) => number, tenthsDone = 10): WorkerMemoryRun {
  const t0 = 1_000_000;
  const samples = [];
  const heaps = [];
  for (let trial = 1; trial <= n; trial++) {
    for (let k = 0; k < 10; k++) samples.push({ t: t0 + (trial - 1) * 1000 + k * 100, self: floor(trial) + k * 1024, children: 300 * 1024 });
    heaps.push({ t: t0 + (trial - 1) * 1000 + 500, usedKiB: heap(trial), externalKiB: 0, arrayBuffersKiB: 0, rssKiB: 0, forcedGc: true });
  }
  const boundaries = Array.from({ length: tenthsDone }, (_, i) => t0 + tenthEnd(n, i + 1) * 1000);
  return { trials: n, startedAt: t0, boundaries, samples, heaps, machine: 'test', loadBefore: '0, 0, 0', env: { MALLOC_ARENA_MAX: null } };
}

describe('the worker-memory tenths', () => {
  it('takes each tenth’s low-water RSS and lowest live heap, trial ranges by completed count', () => {
    const ts = tenths(run(500, (t) => 200 * 1024 + t * 100, () => 30 * 1024));
    expect(ts).toHaveLength(10);
    expect(ts[0]).toMatchObject({ index: 1, firstTrial: 1, lastTrial: 50, lowRssKiB: 200 * 1024 + 100, heapKiB: 30 * 1024, childPeakKiB: 300 * 1024 });
    expect(ts[9]).toMatchObject({ firstTrial: 451, lastTrial: 500, lowRssKiB: 200 * 1024 + 451 * 100, seconds: 50 });
  });

  it('fits a steady climb of the floor over tenths 2..10, in MiB per 100 trials and %', () => {
    const g = fitGrowth(tenths(run(500, (t) => 200 * 1024 + t * 102.4, () => 30 * 1024)), (t) => t.lowRssKiB)!;
    expect(g.kibPerTrial).toBeCloseTo(102.4, 6);
    expect(g.mibPer100).toBeCloseTo(10, 6);
    expect(g.pctPer100).toBeCloseTo((100 * 10 * 1024) / g.fittedStartKiB, 6);
  });

  it('ignores the first tenth (the heap settling) and says a flat floor is no leak', () => {
    const lines = analysis(run(500, (t) => (t <= 50 ? 150 : 250) * 1024, () => 30 * 1024));
    expect(lines.join('\n')).toMatch(/low-water RSS \+0\.00 MiB\/100 trials.*\nverdict: the low-water RSS is flat/);
  });

  it('tells a growing JS heap from native growth', () => {
    expect(analysis(run(500, (t) => 200 * 1024 + t * 50, (t) => 30 * 1024 + t * 40)).join('\n')).toMatch(/GROWS, and the live JS heap with it/);
    expect(analysis(run(500, (t) => 200 * 1024 + t * 50, () => 30 * 1024)).join('\n')).toMatch(/GROWS while the live JS heap does not/);
  });

  it('analyzes a run cut short, and needs three tenths to fit', () => {
    expect(tenths(run(500, () => 1, () => 1, 4))).toHaveLength(4);
    expect(fitGrowth(tenths(run(500, () => 1, () => 1, 2)), (t) => t.lowRssKiB)).toBeNull();
  });
});
