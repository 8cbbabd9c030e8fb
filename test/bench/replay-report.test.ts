import { describe, expect, it } from 'vitest';
import { anytimeBand, epochsToReach, summarize } from '../../bench/replay-report.js';
import type { Trajectory } from '../../bench/search-replay.js';

const run = (algorithm: Trajectory['algorithm'], seed: number, best: number[]): Trajectory =>
  ({ algorithm, seed, searchId: `${algorithm}-${seed}`, best, trials: best.length, continued: 0, status: 'completed', wallMs: 0 });

describe('the replay report', () => {
  it('finds the epochs a trajectory needs to reach a value, or never', () => {
    expect(epochsToReach(run('random', 1, [0.5, 0.6, 0.7]), 0.6)).toBe(2);
    expect(epochsToReach(run('random', 1, [0.5, 0.6, 0.7]), 0.8)).toBe(Infinity);
  });

  it('takes quartiles at each epoch, a finished search keeping its final best', () => {
    const band = anytimeBand([run('asha', 1, [0.1, 0.2]), run('asha', 2, [0.3, 0.4, 0.5, 0.6]), run('asha', 3, [0.2, 0.2, 0.3, 0.3])]);
    expect(band.median).toEqual([0.2, 0.2, 0.3, 0.3]);
    expect(band.q3).toEqual([0.3, 0.4, 0.5, 0.6]);
  });

  it('judges the targets against random’s median final best and epochs', () => {
    const runs = [
      ...[1, 2, 3].map((s) => run('random', s, Array.from({ length: 9 }, (_, i) => 0.5 + i / 100 + s / 1000))),
      ...[1, 2, 3].map((s) => run('hyperband', s, [0.5, 0.6, 0.7, 0.7])),
      ...[1, 2, 3].map((s) => run('median', s, Array.from({ length: 6 }, (_, i) => 0.5 + i / 50))),
      ...[1, 2, 3].map((s) => run('bayesian', s, Array.from({ length: 9 }, () => 0.55))),
    ];
    const r = summarize(runs, ['random', 'bayesian', 'hyperband', 'median']);
    expect(r.target).toBeCloseTo(0.582);
    expect(r.randomEpochs).toBe(9);
    expect(r.summaries.find((s) => s.algorithm === 'hyperband')!.toTarget[1]).toBe(2);
    expect(r.verdicts.map((v) => [v.name.split(' ')[0], v.pass])).toEqual([['hyperband', true], ['bayesian', false], ['median', false]]);
  });
});
