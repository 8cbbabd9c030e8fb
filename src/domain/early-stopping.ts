// Median stopping (Optuna's MedianPruner, i.e. PercentilePruner at 50): after an epoch, a trial whose
// best value so far is worse than the median of the completed trials' values at that epoch stops.
// Decided from recorded per-epoch values alone, so any worker can take the decision.
import type { EarlyStopping } from './algorithms.js';
import { isBetter } from './objective.js';

export interface EpochValue { epoch: number; value: number }

export interface PruneInput {
  rule: EarlyStopping;
  direction: 'max' | 'min';
  /** The epoch just finished (absolute epoch number). */
  epoch: number;
  /** This trial's objective per epoch so far. */
  current: EpochValue[];
  /** Completed trials of the same search (not this one), each its objective per epoch. */
  others: EpochValue[][];
}

export interface PruneDecision { prune: boolean; reason: string | null }

const KEEP: PruneDecision = { prune: false, reason: null };

export function shouldPrune({ rule, direction, epoch, current, others }: PruneInput): PruneDecision {
  if (rule.name !== 'median' || epoch < rule.startEpoch) return KEEP;
  // Others' values at this very epoch, NaN left out (numpy's nanpercentile, as Optuna uses).
  const atEpoch = others
    .map((series) => series.filter((e) => e.epoch === epoch).at(-1)?.value)
    .filter((v): v is number => v !== undefined && !Number.isNaN(v));
  if (atEpoch.length < rule.minTrials) return KEEP;
  const sofar = current.filter((e) => e.epoch <= epoch);
  if (sofar.length === 0) return KEEP;
  // The trial's best so far: one bad epoch after good ones does not condemn it.
  const best = sofar.reduce((b, e) => (isBetter(e.value, b, direction) ? e.value : b), Number.NaN);
  if (Number.isNaN(best)) return { prune: true, reason: `no numeric objective value by epoch ${epoch}` };
  const m = median(atEpoch);
  if (!isBetter(m, best, direction)) return KEEP;
  return { prune: true, reason: `best value ${fmt(best)} by epoch ${epoch} is worse than the median ${fmt(m)} of ${atEpoch.length} completed trials at that epoch` };
}

/** The median, the two middle values averaged (linear interpolation, as numpy's percentile does). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const fmt = (v: number) => Number(v.toPrecision(4)).toString();
