// Asynchronous successive halving (Li et al. 2018, "A System for Massively Parallel Hyperparameter
// Tuning"; Ray Tune's ASHA), derived from the stored history on every call. A trial's `rung` says
// which rung it trains to; `bracket` stays unset (one bracket, as Ray Tune's default).
import type { AlgorithmSettings } from '../domain/algorithms.js';
import type { Promoter, PromoterInput, TrialProposal } from '../domain/oracle.js';
import { promotion, rankByValue } from './hyperband-promoter.js';

/**
 * Epochs of each rung: minEpochs * reductionFactor^k below maxEpochs, then maxEpochs itself as the
 * last rung (Ray Tune's milestones, whose survivors go on to max_t).
 */
export function ashaRungs(settings: Pick<AlgorithmSettings, 'minEpochs' | 'maxEpochs' | 'reductionFactor'>): number[] {
  const max = settings.maxEpochs!;
  const eta = settings.reductionFactor ?? 3;
  const rungs: number[] = [];
  // Rounded so that float steps cannot add a rung a hair below maxEpochs.
  for (let e = settings.minEpochs ?? 1; Math.round(e) < max; e *= eta) rungs.push(Math.round(e));
  rungs.push(max);
  return rungs;
}

export class AshaPromoter implements Promoter {
  propose(input: PromoterInput, count: number): TrialProposal[] {
    const rungs = ashaRungs(input.settings);
    const eta = input.settings.reductionFactor ?? 3;
    const promoted = new Set(input.history.flatMap((t) => (t.parentTrialId ? [t.parentTrialId] : [])));
    const proposals: TrialProposal[] = [];
    // Highest rung first: a trial close to the end is worth more than a new one.
    for (let k = rungs.length - 2; k >= 0 && proposals.length < count; k--) {
      const done = input.history.filter((t) => t.rung === k && t.status === 'completed');
      const top = rankByValue(done, input.direction).slice(0, Math.floor(done.length / eta));
      for (const parent of top) {
        if (proposals.length >= count) break;
        if (!promoted.has(parent.id)) proposals.push(promotion(parent, rungs[k + 1], k + 1));
      }
    }
    // Never wait for a rung to fill: every other slot starts a new configuration.
    const want = count - proposals.length;
    const values = want > 0 ? input.sample(want) : [];
    for (const hyperparameters of values) proposals.push({ hyperparameters, targetEpochs: rungs[0], initialEpoch: 0, rung: 0 });
    return proposals;
  }
}
