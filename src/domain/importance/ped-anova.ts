// Hyperparameter importance by PED-ANOVA (Watanabe et al. 2023, "PED-ANOVA: Efficiently Quantifying
// Hyperparameter Importance in Arbitrary Subspaces"), as Optuna's PedAnovaImportanceEvaluator
// computes it with its defaults (baseline quantile 0.1, local evaluation): per hyperparameter, a
// Parzen estimate of its distribution among the top 10 % of trials is compared with the estimate
// among all trials by Pearson divergence; the divergences are normalized to sum to 1.
// Why PED-ANOVA rather than fANOVA (Optuna's default): it needs no random forest, is linear in the
// trials and deterministic, so an API call answers in milliseconds on the event loop; Optuna's own
// dashboard uses it for the same reason. A hyperparameter that takes one value (fixed, or the same in every trial) gets 0.
// A conditional hyperparameter is scored over the trials where it is active (present), its top
// trials being the best 10 % of those; Optuna instead leaves out any parameter some trial lacks.
import type { HpValues, SearchSpace } from '../hyperparameters.js';
import { gridCells, type Cells } from './grid-cells.js';
import { categoricalPmf, numericPmf } from './parzen-grid.js';

export const PED_ANOVA = { method: 'ped-anova', baselineQuantile: 0.1 } as const;
/** The top set holds at least this many trials, and scoring needs more trials than that. */
const MIN_TOP_TRIALS = 2;
export const MIN_TRIALS = MIN_TOP_TRIALS + 1;

export interface ScoredTrial {
  hyperparameters: HpValues;
  /** The objective's value: finite. */
  value: number;
}

export interface Importance {
  name: string;
  importance: number;
  /** Trials it was scored over: fewer than all for a conditional hyperparameter. */
  trials: number;
}

export interface ImportanceResult {
  importances: Importance[];
  /** Why the list is empty or the importances are all equal. */
  reason?: string;
}

/** Importances of the space's hyperparameters, largest first; `direction`: whether a larger value is better. */
export function pedAnova(space: SearchSpace, trials: ScoredTrial[], direction: 'max' | 'min'): ImportanceResult {
  if (trials.length < MIN_TRIALS)
    return { importances: [], reason: `PED-ANOVA needs at least ${MIN_TRIALS} completed trials with an objective value; the search has ${trials.length}` };
  const scored = space.map((hp) => ({ name: hp.name, cells: gridCells(hp) }));
  const varying = scored.filter((s): s is { name: string; cells: Cells } => s.cells !== null);
  if (varying.length === 0) return { importances: [], reason: 'no hyperparameter takes more than one value' };
  const raw = varying.map(({ name, cells }) => {
    const present = trials.filter((t) => name in t.hyperparameters && cells.of(t.hyperparameters[name]) >= 0);
    // One value in every trial explains nothing: exactly 0, where the estimators' priors, weighted
    // against fewer top trials than trials, would leave a small divergence.
    const varied = new Set(present.map((t) => cells.of(t.hyperparameters[name]))).size > 1;
    return { name, trials: present.length, divergence: present.length < MIN_TRIALS || !varied ? 0 : divergence(cells, name, present, direction) };
  });
  const total = raw.reduce((s, r) => s + r.divergence, 0);
  const fixed = scored.filter((s) => s.cells === null).map(({ name }) => ({ name, importance: 0, trials: trials.filter((t) => name in t.hyperparameters).length }));
  // All zero: the top trials are spread like the rest (or are all of them, every value tied); Optuna shares equally.
  const importances = raw.map((r) => ({ name: r.name, trials: r.trials, importance: total > 0 ? r.divergence / total : 1 / raw.length }));
  const result = [...importances, ...fixed].sort((a, b) => b.importance - a.importance); // stable: ties keep the space's order
  return total > 0 ? { importances: result } : { importances: result, reason: 'the top trials do not differ from the rest in any hyperparameter: importances are equal' };
}

/** Pearson divergence of the top trials' estimate from all trials' (both over the same cells). */
function divergence(cells: Cells, name: string, trials: ScoredTrial[], direction: 'max' | 'min'): number {
  const pmf = cells.kind === 'numeric' ? numericPmf : categoricalPmf;
  const count = (subset: ScoredTrial[]) => {
    const counts = new Array<number>(cells.size).fill(0);
    for (const t of subset) counts[cells.of(t.hyperparameters[name])]++;
    return counts;
  };
  const top = pmf(count(topTrials(trials, direction)));
  const all = pmf(count(trials));
  // 1e-12 as Optuna: no cell's probability is exactly 0.
  return all.reduce((s, p, k) => s + (p + 1e-12) * ((top[k] + 1e-12) / (p + 1e-12) - 1) ** 2, 0);
}

/**
 * The trials at or better than the baseline quantile's value (ties included), at least
 * MIN_TOP_TRIALS of them (Optuna's inverted-CDF quantile).
 */
export function topTrials(trials: ScoredTrial[], direction: 'max' | 'min'): ScoredTrial[] {
  const loss = (t: ScoredTrial) => (direction === 'max' ? -t.value : t.value);
  const sorted = trials.map(loss).sort((a, b) => a - b);
  const atQuantile = sorted[Math.max(0, Math.ceil(PED_ANOVA.baselineQuantile * sorted.length) - 1)];
  const cutoff = Math.max(sorted[MIN_TOP_TRIALS - 1], atQuantile);
  return trials.filter((t) => loss(t) <= cutoff);
}
