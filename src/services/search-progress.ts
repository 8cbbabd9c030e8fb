// What GET /searches/:id/events derives its events from, read so that polling it costs what
// changed, not the search's size: the search without its spec (megabytes for a large space, and
// it never changes), its trial rows (small; no column says when one changed, so all of them), and
// epochs only for trials that were not final at the previous read: a final trial never changes
// again (no transition leaves a final state) and its epochs were all stored before it became final.
import { isFinalTrialStatus } from '../domain/trial-state.js';
import type { EpochRecord, EpochStore } from '../ports/epoch-store.js';
import type { SearchState, SearchStore, TrialWithEpochs } from '../ports/search-store.js';

export interface SearchProgress {
  search: SearchState;
  trials: TrialWithEpochs[];
}

/** The search's trials with their epochs; given the previous read's trials, re-reads only unfinished trials' epochs. */
export async function readTrials(
  store: Pick<SearchStore, 'listTrials'> & Pick<EpochStore, 'listEpochsOf'>, searchId: string, previous?: TrialWithEpochs[],
): Promise<TrialWithEpochs[]> {
  const trials = await store.listTrials(searchId);
  const settled = new Map<string, EpochRecord[]>();
  for (const t of previous ?? []) if (isFinalTrialStatus(t.status)) settled.set(t.id, t.epochs);
  const fresh = new Map<string, EpochRecord[]>();
  for (const e of await store.listEpochsOf(trials.filter((t) => !settled.has(t.id)).map((t) => t.id))) {
    const list = fresh.get(e.trialId) ?? [];
    list.push(e);
    fresh.set(e.trialId, list);
  }
  return trials.map((t) => ({ ...t, epochs: settled.get(t.id) ?? fresh.get(t.id) ?? [] }));
}
