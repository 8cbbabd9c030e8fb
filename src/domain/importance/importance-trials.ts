// Which trials an importance is computed from: completed ones with a finite objective value, each
// configuration once. Retrains are left out (they repeat the best configuration with more epochs);
// a configuration hyperband or asha promoted counts once, at the largest budget it completed, so
// the same hyperparameters do not weigh in several times at budgets that are not comparable.
import { comboKey, type HpValues } from '../hyperparameters.js';
import type { ScoredTrial } from './ped-anova.js';

export interface TrialOutcome {
  number: number;
  status: string;
  source: string;
  hyperparameters: HpValues;
  /** The epochs it trained to; larger is a larger budget. */
  epochs: number;
  value: number | null;
}

export function importanceTrials(trials: TrialOutcome[]): ScoredTrial[] {
  const byConfig = new Map<string, TrialOutcome>();
  for (const t of trials) {
    if (t.status !== 'completed' || t.source === 'retrain' || t.value === null || !Number.isFinite(t.value)) continue;
    const key = comboKey(t.hyperparameters);
    const seen = byConfig.get(key);
    if (!seen || t.epochs > seen.epochs || (t.epochs === seen.epochs && t.number > seen.number)) byConfig.set(key, t);
  }
  return [...byConfig.values()].map((t) => ({ hyperparameters: t.hyperparameters, value: t.value! }));
}
