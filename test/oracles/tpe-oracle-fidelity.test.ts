// TPE as hyperband's and asha's sampler (sampler 'tpe'): configurations rank by the epochs they
// reached before their value, as Optuna's TPE ranks pruned trials.
import { describe, expect, it } from 'vitest';
import type { SearchSpace } from '../../src/domain/hyperparameters.js';
import type { PastTrial } from '../../src/domain/oracle.js';
import { RandomOracle } from '../../src/oracles/random-oracle.js';
import { TpeOracle } from '../../src/oracles/tpe-oracle.js';

const space: SearchSpace = [{ name: 'x', type: 'float', min: 0, max: 1 }];
const at = (x: number, value: number, epochs: number, status: PastTrial['status'] = 'completed'): PastTrial =>
  ({ hyperparameters: { x }, status, value: status === 'completed' ? value : null, epochs });

/**
 * 20 configurations stopped after epoch 1: those at x < 0.5 scored best there. 6 configurations
 * near x = 0.9 scored less at epoch 1 but won their rungs and reached epoch 9.
 */
function history(withEpochs: boolean): PastTrial[] {
  const h: PastTrial[] = [];
  for (let i = 0; i < 20; i++) h.push(at(i < 10 ? 0.02 + i * 0.04 : 0.52 + (i - 10) * 0.02, i < 10 ? 0.9 : 0.5, 1));
  for (let i = 0; i < 6; i++) {
    const x = 0.86 + i * 0.015;
    h.push(at(x, 0.6, 1), at(x, 0.7, 3), at(x, 0.75, 9));
  }
  return withEpochs ? h : h.map(({ epochs: _, ...t }) => t);
}

const medianX = (h: PastTrial[]) => {
  const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((seed) => new TpeOracle().suggest({ space, seed, history: h, direction: 'max', initialRandomTrials: 5 }, 1)[0].x as number);
  return xs.sort((a, b) => a - b)[4];
};

describe('TPE over a multi-fidelity history', () => {
  it('models the configurations that reached the most epochs as good, not the best values of epoch 1', () => {
    expect(medianX(history(true))).toBeGreaterThan(0.75);
    // The same trials without their epochs: the best values alone decide, near x = 0.2.
    expect(medianX(history(false))).toBeLessThan(0.5);
  });

  it('counts configurations, not trials, before it starts modelling', () => {
    // 3 configurations, each promoted twice: 9 completed trials, still under initialRandomTrials 5.
    const h = [0.1, 0.5, 0.9].flatMap((x) => [at(x, 0.5, 1), at(x, 0.6, 3), at(x, 0.7, 9)]);
    const input = { space, seed: 4, history: h, direction: 'max' as const, initialRandomTrials: 5 };
    expect(new TpeOracle().suggest(input, 2)).toEqual(new RandomOracle().suggest(input, 2));
    // With one configuration more than that, it models.
    const more = { ...input, history: [...h, at(0.3, 0.4, 1), at(0.7, 0.4, 1)] };
    expect(new TpeOracle().suggest(more, 2)).not.toEqual(new RandomOracle().suggest(more, 2));
  });
});
