import { describe, expect, it } from 'vitest';
import { hyperbandBrackets, hyperbandConfigCount, hyperbandTrialCount } from '../../src/domain/hyperband-brackets.js';

/** Brackets as 'size@epochs' rounds, most exploratory first. */
const rounds = (maxEpochs: number, factor: number, sizing?: 'keras-tuner' | 'paper') =>
  hyperbandBrackets(maxEpochs, factor, sizing).map((b) => b.rounds.map((r) => `${r.size}@${r.epochs}`).join(' '));

describe('hyperbandBrackets', () => {
  it("sizes brackets as Keras Tuner does by default (its _get_size: ceil(1 + log_factor(maxEpochs)) configurations at the end of bracket 0)", () => {
    expect(rounds(9, 3)).toEqual(['3@1 1@3 1@9', '3@3 1@9', '3@9']);
    expect(rounds(9, 3, 'keras-tuner')).toEqual(rounds(9, 3));
    expect(rounds(27, 3)).toEqual(['4@1 2@3 1@9 1@27', '4@3 2@9 1@27', '4@9 2@27', '4@27']);
  });

  it("sizes them as Li et al.'s Algorithm 1 with 'paper': R = 81, eta = 3 gives the paper's Table 1", () => {
    expect(rounds(81, 3, 'paper')).toEqual([
      '81@1 27@3 9@9 3@27 1@81',
      '34@3 11@9 3@27 1@81',
      '15@9 5@27 1@81',
      '8@27 2@81',
      '5@81',
    ]);
    expect(rounds(9, 3, 'paper')).toEqual(['9@1 3@3 1@9', '5@3 1@9', '3@9']);
  });

  it('keeps every round at one configuration or more and whole epochs up to maxEpochs, for any setting', () => {
    for (const sizing of ['keras-tuner', 'paper'] as const)
      for (let maxEpochs = 1; maxEpochs <= 40; maxEpochs++)
        for (let factor = 2; factor <= 10; factor++) {
          const brackets = hyperbandBrackets(maxEpochs, factor, sizing);
          expect(brackets.length).toBe(hyperbandBrackets(maxEpochs, factor, sizing === 'paper' ? 'keras-tuner' : 'paper').length);
          for (const b of brackets) {
            expect(b.rounds.at(-1)!.epochs).toBe(maxEpochs);
            for (const [i, r] of b.rounds.entries()) {
              expect(r.size).toBeGreaterThanOrEqual(1);
              expect(Number.isInteger(r.epochs) && r.epochs >= 1).toBe(true);
              if (i > 0) expect(r.size).toBeLessThanOrEqual(b.rounds[i - 1].size);
            }
          }
        }
  });

  it('counts configurations (round 0 of every bracket) and trials (every round) per iteration', () => {
    expect(hyperbandConfigCount(9, 3, 1)).toBe(9);
    expect(hyperbandConfigCount(9, 3, 2, 'paper')).toBe(2 * (9 + 5 + 3));
    expect(hyperbandTrialCount(9, 3, 1)).toBe(3 + 1 + 1 + 3 + 1 + 3);
    expect(hyperbandTrialCount(9, 3, 1, 'paper')).toBe(9 + 3 + 1 + 5 + 1 + 3);
  });
});
