// Runs a whole multi-fidelity search without training: planNext as the scheduler calls it, workers
// finishing trials in a random order with synthetic objective values. Each plan is handed to a
// checker together with the history it was made from, so properties can judge every decision.
import { planNext, type Plan, type TrialHistoryEntry } from '../../src/domain/schedule.js';
import { mulberry32 } from '../../src/domain/rng.js';
import { toUnit, type HpValues, type SearchSpace } from '../../src/domain/hyperparameters.js';
import type { SearchSpec } from '../../src/domain/search-spec.js';
import { isFinalTrialStatus } from '../../src/domain/trial-state.js';
import { createAlgorithm } from '../../src/oracles/index.js';

export interface SimOptions {
  /** Seeds the completion order, the noise and the failures. */
  seed: number;
  /** Noise on each value, scaled by the trial's epochs (longer training, wider spread). */
  noise?: number;
  /** Share of trials that end failed or pruned instead of completed. */
  failRate?: number;
  maxSteps?: number;
  onPlan?: (before: TrialHistoryEntry[], plan: Plan, after: TrialHistoryEntry[]) => void;
}

export interface SimResult { trials: TrialHistoryEntry[]; finalStatus: Plan['finalStatus']; plans: number }

/** A smooth objective over the space: better with every hyperparameter's unit position and with epochs. */
export function quality(space: SearchSpace, hps: HpValues): number {
  const present = space.filter((hp) => hp.name in hps);
  return present.reduce((s, hp) => s + toUnit(hp, hps[hp.name]), 0) / Math.max(1, present.length);
}

export function simulate(spec: SearchSpec, opts: SimOptions): SimResult {
  const rand = mulberry32(opts.seed);
  const algorithm = createAlgorithm(spec.algorithm);
  const ctx = { now: new Date(0), createdAt: new Date(0), pending: [] };
  const trials: TrialHistoryEntry[] = [];
  const maxSteps = opts.maxSteps ?? 2000;
  for (let plans = 1; plans <= maxSteps; plans++) {
    const before = trials.map((t) => ({ ...t }));
    const plan = planNext(spec, trials, algorithm, ctx);
    for (const p of plan.newTrials) {
      trials.push({
        id: `t${trials.length + 1}`, status: 'running', hyperparameters: p.hyperparameters, valAccuracy: null, value: null, modelId: null,
        targetEpochs: p.targetEpochs ?? null, initialEpoch: p.initialEpoch ?? 0, parentTrialId: p.parentTrialId ?? null,
        bracket: p.bracket ?? null, rung: p.rung ?? null, source: p.source,
      });
    }
    opts.onPlan?.(before, plan, trials);
    if (plan.finalStatus) return { trials, finalStatus: plan.finalStatus, plans };
    const active = trials.filter((t) => !isFinalTrialStatus(t.status));
    if (active.length === 0) throw new Error(`plan ${plans}: nothing runs and nothing was scheduled, yet the search did not end`);
    // Workers finish in any order; often one before the scheduler runs again, sometimes several.
    const finishing = rand() < 0.5 ? 1 : 1 + Math.floor(rand() * active.length);
    for (let i = 0; i < finishing; i++) finish(active.splice(Math.floor(rand() * active.length), 1)[0]);
  }
  throw new Error(`the search did not end within ${maxSteps} plans`);

  function finish(t: TrialHistoryEntry): void {
    const epochs = t.targetEpochs ?? spec.training.epochs;
    const value = 0.5 + 0.3 * quality(spec.hyperparameters, t.hyperparameters) + 0.005 * epochs + (opts.noise ?? 0.01) * epochs * (rand() - 0.5);
    const r = rand();
    t.status = r < (opts.failRate ?? 0) ? (r < (opts.failRate ?? 0) / 2 ? 'failed' : 'pruned') : 'completed';
    // A pruned trial keeps its value (its best epoch so far); a failed one has none.
    t.value = t.status === 'failed' ? null : spec.objective.direction === 'max' ? value : 1 - value;
    t.valAccuracy = t.value;
    t.modelId = t.status === 'failed' ? null : `m-${t.id}`;
  }
}

/** Strictly better in the objective's direction. */
export const better = (a: number | null, b: number | null, direction: 'max' | 'min'): boolean =>
  a !== null && (b === null || (direction === 'max' ? a > b : a < b));
