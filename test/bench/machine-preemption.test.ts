import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { describePreemption, preemption } from '../../bench/machine.js';

describe('bench preemption probe', () => {
  it('adds up each thread\'s gaps within the time it spun', async () => {
    const p = await preemption(300, 2);
    expect(p).toMatchObject({ threads: 2, ms: 300, gapMs: 0.5 });
    expect(Number.isInteger(p.gaps)).toBe(true);
    expect(p.lostMs).toBeGreaterThanOrEqual(p.gaps * 0.5);
    // A thread stops at its first clock read past the spin: only that last gap can run over it.
    expect(p.lostMs).toBeLessThanOrEqual(2 * 300 + 2 * p.longestMs);
    expect(describePreemption(p)).toMatch(/^2 threads spinning 0\.3 s lost \d+\.\d % to other work \(\d+ gaps over 0\.5 ms, longest \d+\.\d ms\)$/);
  });

  it('sees the time a thread more than the cores takes from the spinners', async () => {
    // One busy thread beside one spinner per core: the scheduler shares the cores in slices of
    // milliseconds, so each spinner is off its core about a third of the time on 2 cores.
    const cores = os.availableParallelism();
    const busy = new Worker('const end = Date.now() + 2500; while (Date.now() < end);', { eval: true });
    try {
      await new Promise((resolve) => busy.once('online', resolve));
      const p = await preemption(1500, cores);
      expect(p.lostMs / (cores * 1500)).toBeGreaterThan(0.1);
      expect(p.longestMs).toBeGreaterThan(0.5);
    } finally {
      await busy.terminate();
    }
  });
});
