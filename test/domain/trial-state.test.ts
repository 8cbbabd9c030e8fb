import { describe, expect, it } from 'vitest';
import { ConflictError, TrainingError, TrialCancelledError } from '../../src/domain/errors.js';
import { assertTransition, canTransition, sourcesOf, trialOutcomeOf } from '../../src/domain/trial-state.js';

describe('trial states', () => {
  it('allows the lifecycle and nothing out of a final state', () => {
    expect(canTransition('waiting', 'running')).toBe(true);
    expect(canTransition('running', 'running')).toBe(true); // a retry
    expect(canTransition('running', 'completed')).toBe(true);
    expect(canTransition('waiting', 'completed')).toBe(false);
    for (const to of ['waiting', 'running', 'failed'] as const) expect(canTransition('completed', to)).toBe(false);
    expect(() => assertTransition('t1', 'cancelled', 'running')).toThrow(ConflictError);
    expect(sourcesOf('cancelled').sort()).toEqual(['running', 'waiting']);
  });

  it('turns errors into trial outcomes in one place', () => {
    expect(trialOutcomeOf(new TrainingError('loss is NaN'))).toEqual({ status: 'failed', retry: false, message: 'loss is NaN' });
    expect(trialOutcomeOf(new TrialCancelledError('x')).status).toBe('cancelled');
    expect(trialOutcomeOf(new Error('ECONNRESET')).retry).toBe(true);
  });
});
