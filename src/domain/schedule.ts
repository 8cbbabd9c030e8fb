// What a search should do next, from its spec and trial history alone. Pure: the scheduler
// service reads the history, calls planNext, and commits the plan atomically.
import { isMultiFidelity } from './algorithms.js';
import type { HpValues } from './hyperparameters.js';
import { isMultiObjective, objectiveDirections } from './objective-rules.js';
import type { Oracle, Promoter, RungTrial, TrialProposal } from './oracle.js';
import type { SearchSpec } from './search-spec.js';
import { isFinalTrialStatus, type SearchStatus, type TrialStatus } from './trial-state.js';

/** What planNext reads of a trial in the search's history (not the API's TrialView). */
export interface TrialHistoryEntry {
  id: string;
  status: TrialStatus;
  hyperparameters: HpValues;
  valAccuracy: number | null;
  /** The objective's value; null on a trial without one. */
  value: number | null;
  /** A multi-objective search's completed trial: its value per objective (the scheduler fills it for bayesian). */
  values?: number[] | null;
  /** The prediction latency its run measured (a search with a `latency_ms` objective); absent or null: none. */
  latencyMs?: number | null;
  modelId: string | null;
  targetEpochs: number | null;
  initialEpoch: number;
  parentTrialId: string | null;
  bracket: number | null;
  rung: number | null;
  source: 'oracle' | 'user' | 'retrain';
}

export interface PlannedTrial extends TrialProposal {
  source: 'oracle' | 'user';
}

export interface Plan {
  newTrials: PlannedTrial[];
  /** How many of the search's pending warm-start configurations the new trials take (from the front). */
  pendingTaken: number;
  /** Set when the search ends with this plan. */
  finalStatus: Extract<SearchStatus, 'completed' | 'failed'> | null;
  error: string | null;
  bestTrialId: string | null;
  bestModelId: string | null;
}

export interface PlanContext {
  now: Date;
  createdAt: Date;
  /** Warm-start configurations waiting to be scheduled (POST /searches/:id/trials). */
  pending: HpValues[];
}

export interface Algorithm {
  oracle: Oracle;
  /** Set for hyperband and asha. */
  promoter?: Promoter;
}

/** The epoch count a trial trains to. */
export const trialEpochs = (spec: SearchSpec, t: Pick<TrialHistoryEntry, 'targetEpochs'>): number => t.targetEpochs ?? spec.training.epochs;

/** Epochs a trial costs: those it trains itself, once per execution. */
const epochCost = (spec: SearchSpec, t: Pick<TrialHistoryEntry, 'targetEpochs' | 'initialEpoch'>): number =>
  (trialEpochs(spec, t) - t.initialEpoch) * (spec.training.executionsPerTrial ?? 1);

/** True once budget.maxDurationSeconds has passed since the search was created: no trial starts later. */
export const pastDeadline = (spec: SearchSpec, createdAt: Date, now: Date): boolean =>
  spec.budget.maxDurationSeconds !== undefined && now.getTime() - createdAt.getTime() >= spec.budget.maxDurationSeconds * 1000;

/** Retrains continue a finished search and compete with nothing. */
const searched = (trials: TrialHistoryEntry[]) => trials.filter((t) => t.source !== 'retrain');

export function bestTrial(spec: SearchSpec, trials: TrialHistoryEntry[]): TrialHistoryEntry | null {
  const sign = spec.objective.direction === 'max' ? 1 : -1;
  let best: TrialHistoryEntry | null = null;
  for (const t of searched(trials)) {
    if (t.status !== 'completed' || t.value === null) continue;
    if (!best || sign * (t.value - best.value!) > 0) best = t;
  }
  return best;
}

export function reachedTarget(spec: SearchSpec, value: number | null): boolean {
  const target = spec.budget.targetValue;
  if (target === undefined || value === null) return false;
  return spec.objective.direction === 'max' ? value >= target : value <= target;
}

export function planNext(spec: SearchSpec, all: TrialHistoryEntry[], algorithm: Algorithm, ctx: PlanContext): Plan {
  const trials = searched(all);
  const best = bestTrial(spec, trials);
  const ids = { bestTrialId: best?.id ?? null, bestModelId: best?.modelId ?? null };
  const end = (finalStatus: Plan['finalStatus'], error: string | null): Plan => ({ newTrials: [], pendingTaken: 0, finalStatus, error, ...ids });
  // Too many failures: stop now (running trials see the final search status at their next epoch end).
  const failed = trials.filter((t) => t.status === 'failed').length;
  const maxFailed = spec.budget.maxFailedTrials;
  if (maxFailed !== undefined && failed >= maxFailed)
    return end('failed', `${failed} trial(s) failed, reaching budget.maxFailedTrials (${maxFailed}); no more trials are scheduled`);
  if (best && reachedTarget(spec, best.value)) return end('completed', null);

  const active = trials.filter((t) => !isFinalTrialStatus(t.status)).length;
  const overTime = pastDeadline(spec, ctx.createdAt, ctx.now);
  // Multi-fidelity algorithms count configurations against maxTrials; promotions continue one.
  const multi = isMultiFidelity(spec.algorithm.name);
  const configurations = multi ? trials.filter((t) => t.parentTrialId === null).length : trials.length;
  let configRoom = overTime ? 0 : Math.max(0, spec.budget.maxTrials - configurations);
  let room = overTime ? 0 : Math.max(0, spec.budget.maxParallelTrials - active);
  let epochsLeft = spec.budget.maxTotalEpochs === undefined ? Infinity : spec.budget.maxTotalEpochs - trials.reduce((n, t) => n + epochCost(spec, t), 0);

  const newTrials: PlannedTrial[] = [];
  /** 'room' when no slot or configuration is left (nothing else fits either); 'epochs' when only this one is too long. */
  const take = (p: PlannedTrial): true | 'room' | 'epochs' => {
    if (room === 0 || (!p.parentTrialId && configRoom === 0)) return 'room';
    const cost = epochCost(spec, { targetEpochs: p.targetEpochs ?? null, initialEpoch: p.initialEpoch ?? 0 });
    if (cost > epochsLeft) return 'epochs';
    if (!p.parentTrialId) configRoom--;
    room--;
    epochsLeft -= cost;
    newTrials.push(p);
    return true;
  };
  // Warm starts first, in order, at the epoch count the algorithm's full-length trials get.
  let pendingTaken = 0;
  const fullEpochs = multi ? spec.algorithm.maxEpochs : undefined;
  while (pendingTaken < ctx.pending.length && take({ hyperparameters: ctx.pending[pendingTaken], source: 'user', ...(fullEpochs ? { targetEpochs: fullEpochs } : {}) }) === true) pendingTaken++;

  // What this plan has sampled so far: a promoter may call sample() once per bracket, and each call
  // must see the earlier ones' configurations (or the oracle repeats them) and the room they took.
  const sampled: HpValues[] = [];
  const history = () => [
    ...[...trials, ...newTrials].map((t) => ({
      hyperparameters: t.hyperparameters, status: 'status' in t ? t.status : ('waiting' as const), value: 'value' in t ? t.value : null,
      ...('values' in t ? { values: t.values } : {}),
      ...(multi ? { epochs: 'status' in t ? trialEpochs(spec, t) : t.targetEpochs ?? fullEpochs } : {}),
    })),
    ...sampled.map((hyperparameters) => ({ hyperparameters, status: 'waiting' as const, value: null })),
  ];
  const sample = (count: number): HpValues[] => {
    const n = Math.min(count, room - sampled.length, configRoom - sampled.length);
    if (n <= 0) return [];
    const values = algorithm.oracle.suggest({
      space: spec.hyperparameters, seed: spec.algorithm.seed, direction: spec.objective.direction,
      ...(isMultiObjective(spec) ? { directions: objectiveDirections(spec.objectives) } : {}),
      initialRandomTrials: spec.algorithm.initialRandomTrials, history: history(),
    }, n);
    sampled.push(...values);
    return values;
  };
  if (room > 0 && algorithm.promoter) {
    const rungTrials: RungTrial[] = trials.filter((t) => t.source === 'oracle').map((t) => ({
      id: t.id, hyperparameters: t.hyperparameters, status: t.status, value: t.value, targetEpochs: trialEpochs(spec, t),
      initialEpoch: t.initialEpoch, parentTrialId: t.parentTrialId, bracket: t.bracket, rung: t.rung,
    }));
    const proposals = algorithm.promoter.propose({ settings: spec.algorithm, direction: spec.objective.direction, history: rungTrials, sample }, room);
    // A proposal too long for the epochs left does not stop a shorter one after it.
    for (const p of proposals) if (take({ ...p, source: 'oracle' }) === 'room') break;
  } else if (room > 0 && configRoom > 0) {
    for (const hyperparameters of sample(room)) if (take({ hyperparameters, source: 'oracle' }) === 'room') break;
  }
  // With nothing running and nothing new the search is over, whatever the reason (an exhausted
  // space, the budget, the clock).
  let finalStatus: Plan['finalStatus'] = null;
  let error: string | null = null;
  if (active === 0 && newTrials.length === 0) {
    finalStatus = trials.some((t) => t.status === 'completed') ? 'completed' : 'failed';
    if (finalStatus === 'failed') error = trials.length === 0 ? 'no trial could be scheduled within the budget' : `no trial completed (${trials.length} failed or cancelled)`;
  }
  return { newTrials, pendingTaken, finalStatus, error, ...ids };
}
