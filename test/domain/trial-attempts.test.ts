import { describe, expect, it } from 'vitest';
import { normalizeSpec } from '../../src/domain/search-spec.js';
import { attemptsPerTrial, failedForGood } from '../../src/domain/trial-attempts.js';
import { referenceSearch } from '../fixtures/reference-search.js';

describe('attemptsPerTrial', () => {
  it('is the first run plus budget.maxRetriesPerTrial retries, 2 by default', () => {
    expect(attemptsPerTrial(normalizeSpec(referenceSearch({ budget: undefined }), () => 1))).toBe(3);
    expect(attemptsPerTrial(normalizeSpec(referenceSearch({ budget: { maxRetriesPerTrial: 0 } }), () => 1))).toBe(1);
    expect(attemptsPerTrial(normalizeSpec(referenceSearch({ budget: { maxRetriesPerTrial: 5 } }), () => 1))).toBe(6);
  });
});

describe('failedForGood', () => {
  it('retries while runs are left', () => {
    expect(failedForGood({ made: 0, allowed: 1 })).toBe(false); // nothing has run yet
    expect(failedForGood({ made: 1, allowed: 3 })).toBe(false);
    expect(failedForGood({ made: 2, allowed: 3 })).toBe(false);
  });

  it('fails the trial once its last allowed run ended without a result', () => {
    expect(failedForGood({ made: 3, allowed: 3 })).toBe(true);
    expect(failedForGood({ made: 1, allowed: 1 })).toBe(true); // budget.maxRetriesPerTrial: 0
  });

  it('fails a trial that ran more often than allowed (runs lost between checks)', () => {
    expect(failedForGood({ made: 4, allowed: 3 })).toBe(true);
  });
});
