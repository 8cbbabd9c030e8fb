import { describe, expect, it } from 'vitest';
import { importanceTrials, type TrialOutcome } from '../../../src/domain/importance/importance-trials.js';

const t = (number: number, hp: number, value: number | null, extra: Partial<TrialOutcome> = {}): TrialOutcome =>
  ({ number, status: 'completed', source: 'oracle', hyperparameters: { x: hp }, epochs: 1, value, ...extra });

describe('importanceTrials', () => {
  it('keeps completed trials with a finite value, no retrains', () => {
    const out = importanceTrials([
      t(1, 1, 0.5), t(2, 2, null), t(3, 3, 0.7, { status: 'failed' }), t(4, 4, 0.1, { status: 'pruned' }),
      t(5, 5, Number.NaN), t(6, 1, 0.9, { source: 'retrain', epochs: 5 }), t(7, 7, 0.2, { source: 'user' }),
    ]);
    expect(out).toEqual([{ hyperparameters: { x: 1 }, value: 0.5 }, { hyperparameters: { x: 7 }, value: 0.2 }]);
  });

  it('counts a promoted configuration once, at the largest budget it completed', () => {
    const out = importanceTrials([t(1, 1, 0.5, { epochs: 1 }), t(2, 2, 0.4), t(3, 1, 0.8, { epochs: 3 })]);
    expect(out).toEqual([{ hyperparameters: { x: 1 }, value: 0.8 }, { hyperparameters: { x: 2 }, value: 0.4 }]);
  });
});
