// Each completed trial's value per objective, for the oracle of a multi-objective bayesian search.
// Derived from the trial's stored epochs (never stored twice); a completed trial never changes, so
// its values are read once per search and kept, as TrialHistory keeps the trials themselves.
import { isMultiObjective, trialObjectiveValues } from '../domain/objectives.js';
import type { TrialHistoryEntry } from '../domain/schedule.js';
import type { SearchSpec } from '../domain/search-spec.js';
import type { EpochStore } from '../ports/epoch-store.js';

export class TrialObjectiveValues {
  private readonly searches = new Map<string, Map<string, number[] | null>>();

  constructor(private readonly store: Pick<EpochStore, 'listEpochs'>) {}

  /** `trials` with `values` on the completed ones; unchanged where the oracle does not read them. */
  async fill<T extends TrialHistoryEntry>(searchId: string, spec: SearchSpec, trials: T[]): Promise<T[]> {
    // Only the bayesian oracle models from the values; the front (GET /searches/:id) reads its own.
    if (!isMultiObjective(spec) || spec.algorithm.name !== 'bayesian') return trials;
    const known = this.searches.get(searchId) ?? new Map<string, number[] | null>();
    this.searches.set(searchId, known);
    return Promise.all(trials.map(async (t) => {
      if (t.status !== 'completed') return t;
      if (!known.has(t.id)) known.set(t.id, trialObjectiveValues(spec, t.hyperparameters, await this.store.listEpochs(t.id)));
      return { ...t, values: known.get(t.id)! };
    }));
  }

  forget(searchId: string): void {
    this.searches.delete(searchId);
  }
}
