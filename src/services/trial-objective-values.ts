// Each completed trial's value per objective, for the oracle of a multi-objective bayesian search.
// Derived from the trial's stored epochs and, for `latency_ms`, the latency stored with its final
// state (never stored twice); a completed trial never changes (its latency is written in the same
// update that completes it), so its values are read once per search and kept, as TrialHistory
// keeps the trials themselves.
import { isMultiObjective, trialObjectiveValues } from '../domain/objectives.js';
import type { TrialHistoryEntry } from '../domain/schedule.js';
import type { SearchSpec } from '../domain/search-spec.js';
import type { EpochRecord, EpochStore } from '../ports/epoch-store.js';

/** Searches kept; the least recently read go first (one finished elsewhere is never forgotten here). */
export const VALUES_MAX_SEARCHES = 1_000;

export class TrialObjectiveValues {
  /** In order of last read (a Map keeps insertion order). */
  private readonly searches = new Map<string, Map<string, number[] | null>>();

  constructor(private readonly store: Pick<EpochStore, 'listEpochsOf'>, private readonly maxSearches = VALUES_MAX_SEARCHES) {}

  /** `trials` with `values` on the completed ones; unchanged where the oracle does not read them. */
  async fill<T extends TrialHistoryEntry>(searchId: string, spec: SearchSpec, trials: T[]): Promise<T[]> {
    // Only the bayesian oracle models from the values; the front (GET /searches/:id) reads its own.
    if (!isMultiObjective(spec) || spec.algorithm.name !== 'bayesian') return trials;
    const known = this.searches.get(searchId) ?? new Map<string, number[] | null>();
    this.searches.delete(searchId);
    this.searches.set(searchId, known);
    if (this.searches.size > this.maxSearches) this.searches.delete(this.searches.keys().next().value!);
    const fresh = trials.filter((t) => t.status === 'completed' && !known.has(t.id));
    // One query for every trial completed since the last read.
    const epochs = new Map<string, EpochRecord[]>();
    for (const e of await this.store.listEpochsOf(fresh.map((t) => t.id))) epochs.set(e.trialId, [...(epochs.get(e.trialId) ?? []), e]);
    for (const t of fresh) known.set(t.id, trialObjectiveValues(spec, t, epochs.get(t.id) ?? []));
    return trials.map((t) => (t.status === 'completed' ? { ...t, values: known.get(t.id)! } : t));
  }

  forget(searchId: string): void {
    this.searches.delete(searchId);
  }
}
