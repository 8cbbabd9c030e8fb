import { describe, expect, it } from 'vitest';
import { afterEpoch, asksPruner, engineDecision, searchStopsTrial, type EpochEnd } from '../../src/domain/after-epoch.js';
import type { SearchStatus } from '../../src/domain/trial-state.js';

const mid: EpochEnd = { retrain: false, searchStatus: 'running', finished: false, cancelRequested: false };
const decide = (e: Partial<EpochEnd> & { pruneReason?: string | null; shutdownRequested?: boolean } = {}) =>
  afterEpoch({ ...mid, pruneReason: null, shutdownRequested: false, ...e });

describe('searchStopsTrial', () => {
  it('ends a search trial with its search, a retrain only with a cancel', () => {
    const statuses: SearchStatus[] = ['queued', 'running', 'completed', 'cancelled', 'failed'];
    expect(statuses.filter((s) => searchStopsTrial(false, s))).toEqual(['completed', 'cancelled', 'failed']);
    expect(statuses.filter((s) => searchStopsTrial(true, s))).toEqual(['cancelled']);
  });
});

describe('asksPruner', () => {
  it('wants a verdict only mid-trial, for a search trial whose search goes on', () => {
    expect(asksPruner(mid)).toBe(true);
    expect(asksPruner({ ...mid, finished: true })).toBe(false); // nothing left to save after the last epoch
    expect(asksPruner({ ...mid, retrain: true })).toBe(false);
    expect(asksPruner({ ...mid, searchStatus: 'cancelled' })).toBe(false);
    expect(asksPruner({ ...mid, searchStatus: undefined })).toBe(true); // a vanished search ends nothing
    expect(asksPruner({ ...mid, cancelRequested: true })).toBe(false); // it ends anyway
  });
});

describe('afterEpoch', () => {
  it('continues by default, and after the last epoch', () => {
    expect(decide()).toEqual({ kind: 'continue' });
    expect(decide({ finished: true })).toEqual({ kind: 'continue' });
    expect(decide({ searchStatus: undefined })).toEqual({ kind: 'continue' });
  });

  it('stops a trial whose search ended, even after its last epoch and over a verdict or a shutdown', () => {
    expect(decide({ searchStatus: 'completed' })).toEqual({ kind: 'search-ended', searchStatus: 'completed' });
    expect(decide({ searchStatus: 'failed', finished: true })).toEqual({ kind: 'search-ended', searchStatus: 'failed' });
    expect(decide({ searchStatus: 'cancelled', pruneReason: 'worse', shutdownRequested: true })).toEqual({ kind: 'search-ended', searchStatus: 'cancelled' });
  });

  it('lets a retrain outlive its completed search, not a cancel', () => {
    expect(decide({ retrain: true, searchStatus: 'completed' })).toEqual({ kind: 'continue' });
    expect(decide({ retrain: true, searchStatus: 'cancelled' })).toEqual({ kind: 'search-ended', searchStatus: 'cancelled' });
  });

  it("stops a trial a user cancelled: any trial, over a verdict or a shutdown, even after its last epoch", () => {
    const cancel = { kind: 'cancel-requested' };
    expect(decide({ cancelRequested: true })).toEqual(cancel);
    expect(decide({ cancelRequested: true, retrain: true, searchStatus: 'completed' })).toEqual(cancel);
    expect(decide({ cancelRequested: true, pruneReason: 'worse', shutdownRequested: true })).toEqual(cancel);
    expect(decide({ cancelRequested: true, finished: true })).toEqual(cancel);
    expect(decide({ cancelRequested: true, searchStatus: undefined })).toEqual(cancel);
    // Its search's end says more (every trial of it stops): that reason wins.
    expect(decide({ cancelRequested: true, searchStatus: 'cancelled' })).toEqual({ kind: 'search-ended', searchStatus: 'cancelled' });
  });

  it('prunes on a verdict, over a shutdown; never a retrain nor after the last epoch', () => {
    expect(decide({ pruneReason: 'worse than the median' })).toEqual({ kind: 'prune', reason: 'worse than the median' });
    expect(decide({ pruneReason: 'worse', shutdownRequested: true })).toEqual({ kind: 'prune', reason: 'worse' });
    expect(decide({ pruneReason: 'worse', retrain: true })).toEqual({ kind: 'continue' });
    expect(decide({ pruneReason: 'worse', finished: true })).toEqual({ kind: 'continue' });
  });

  it('hands the trial back on a shutdown unless it has just trained its last epoch', () => {
    expect(decide({ shutdownRequested: true })).toEqual({ kind: 'hand-back' });
    expect(decide({ shutdownRequested: true, retrain: true, searchStatus: 'completed' })).toEqual({ kind: 'hand-back' });
    expect(decide({ shutdownRequested: true, finished: true })).toEqual({ kind: 'continue' });
  });
});

describe('engineDecision', () => {
  it('tells the engine to stop without a result for an ended search and a hand-back, and to keep it for a prune', () => {
    expect(engineDecision({ kind: 'continue' })).toBe('continue');
    expect(engineDecision({ kind: 'search-ended', searchStatus: 'cancelled' })).toBe('stop');
    expect(engineDecision({ kind: 'hand-back' })).toBe('stop');
    expect(engineDecision({ kind: 'cancel-requested' })).toBe('stop');
    expect(engineDecision({ kind: 'prune', reason: 'r' })).toBe('prune');
  });
});
