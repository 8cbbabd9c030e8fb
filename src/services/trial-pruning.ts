// Early stopping for a running trial: its objective so far against the search's completed trials
// at the same epoch; the rule itself (median, Optuna's MedianPruner) is in the domain.
import { shouldPrune } from '../domain/early-stopping.js';
import { meanEpochs, metricValue } from '../domain/objective.js';
import type { EpochRecord } from '../ports/epoch-store.js';
import type { SearchRecord } from '../ports/search-store.js';
import type { Store } from '../ports/store.js';

/**
 * The reason to prune the trial after `epoch`, or null to go on. Every trial's executions combine
 * as their mean per epoch; retrains are not compared against (they continue a finished search).
 */
export async function pruneVerdict(store: Store, search: SearchRecord, trialId: string, epoch: number): Promise<string | null> {
  const rule = search.spec.earlyStopping;
  if (rule.name === 'none' || epoch < rule.startEpoch) return null; // spares the read below
  const { metric, direction } = search.spec.objective;
  const series = (epochs: EpochRecord[]) => meanEpochs(epochs).map((e) => ({ epoch: e.epoch, value: metricValue(e, metric) }));
  const trials = await store.listTrialsWithEpochs(search.id);
  const current = series(trials.find((t) => t.id === trialId)?.epochs.filter((e) => e.epoch <= epoch) ?? []);
  const others = trials.filter((t) => t.id !== trialId && t.status === 'completed' && t.source !== 'retrain').map((t) => series(t.epochs));
  const verdict = shouldPrune({ rule, direction, epoch, current, others });
  return verdict.prune ? verdict.reason ?? `worse than the median of completed trials at epoch ${epoch}` : null;
}
