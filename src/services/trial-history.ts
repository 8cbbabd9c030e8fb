// A search's trials as the scheduler plans from them, read incrementally. A finished trial never
// changes (its model is stored before its final state, and no transition leaves a final state),
// and trials are numbered densely in commit order, so each read fetches only the trials numbered
// after the last one seen and those that were unfinished then, as Optuna's _CachedStorage keeps
// finished trials. Re-reading the whole history after every trial made each scheduling step
// allocate in proportion to the search's size, and the worker's heap and RSS grew with it.
import { isFinalTrialStatus } from '../domain/trial-state.js';
import type { SearchStore, TrialRecord } from '../ports/search-store.js';

/** Trials kept in all, over every search (about 1 KiB each); the least recently read searches go first. */
export const HISTORY_MAX_TRIALS = 20_000;

interface Known {
  /** By number, ascending. */
  trials: TrialRecord[];
  /** Index in `trials` by trial number. */
  at: Map<number, number>;
}

export class TrialHistory {
  /** In order of last read (a Map keeps insertion order): the first is evicted first. */
  private readonly searches = new Map<string, Known>();
  private kept = 0;

  constructor(private readonly store: Pick<SearchStore, 'listTrialsSince'>, private readonly maxTrials = HISTORY_MAX_TRIALS) {}

  /** Every trial of the search, by number, as a full read would return them now. */
  async read(searchId: string): Promise<TrialRecord[]> {
    const known = this.searches.get(searchId) ?? { trials: [], at: new Map<number, number>() };
    const last = known.trials.at(-1)?.number ?? -1; // numbers are never negative
    const open = known.trials.filter((t) => !isFinalTrialStatus(t.status)).map((t) => t.number);
    const fresh = await this.store.listTrialsSince(searchId, last, open);
    this.forget(searchId);
    for (const t of fresh) {
      const i = known.at.get(t.number);
      if (i !== undefined) known.trials[i] = t;
      else {
        known.at.set(t.number, known.trials.length);
        known.trials.push(t);
      }
    }
    this.searches.set(searchId, known);
    this.kept += known.trials.length;
    for (const id of this.searches.keys()) {
      if (this.kept <= this.maxTrials || id === searchId) break;
      this.forget(id);
    }
    // A copy: a later read of the same search updates `known` in place.
    return known.trials.slice();
  }

  /** Drops what is kept of the search (it finished, or is evicted). */
  forget(searchId: string): void {
    const known = this.searches.get(searchId);
    if (!known) return;
    this.kept -= known.trials.length;
    this.searches.delete(searchId);
  }
}
