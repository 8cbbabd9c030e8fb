// A search's hyperparameter importance: its trials read from the store, their objective values
// (another metric's, when asked, from their epochs), and the domain's PED-ANOVA over them.
import { defaultDirection, type ObjectiveMetric } from '../domain/algorithms.js';
import { importanceTrials } from '../domain/importance/importance-trials.js';
import { PED_ANOVA, pedAnova } from '../domain/importance/ped-anova.js';
import { trialEpochs } from '../domain/schedule.js';
import { TrialExecutions } from '../domain/trial-executions.js';
import type { SearchRecord, SearchStore, TrialRecord, TrialWithEpochs } from '../ports/search-store.js';
import type { ImportanceView } from '../schemas/importance-schemas.js';

type Objective = SearchRecord['spec']['objective'];

export async function searchImportance(store: Pick<SearchStore, 'listTrials' | 'listTrialsWithEpochs'>, search: SearchRecord, metric?: ObjectiveMetric): Promise<ImportanceView> {
  const own = search.spec.objective;
  const objective: Objective = !metric || metric === own.metric ? own : { metric, direction: defaultDirection(metric) };
  // The search's own objective is stored on each trial; another metric needs every trial's epochs.
  const records: TrialRecord[] = objective === own
    ? await store.listTrials(search.id)
    : (await store.listTrialsWithEpochs(search.id)).map((t) => ({ ...t, value: metricValueOf(t, objective) }));
  const trials = importanceTrials(records.map((t) => ({
    number: t.number, status: t.status, source: t.source, hyperparameters: t.hyperparameters, epochs: trialEpochs(search.spec, t), value: t.value,
  })));
  const { importances, reason } = pedAnova(search.spec.hyperparameters, trials, objective.direction);
  return {
    searchId: search.id, objective, method: PED_ANOVA.method, baselineQuantile: PED_ANOVA.baselineQuantile,
    trials: trials.length, importances, ...(reason !== undefined && { reason }),
  };
}

/** As a trial's value is worked out for its objective: each execution's best epoch by the metric, averaged. */
function metricValueOf(trial: TrialWithEpochs, objective: Objective): number | null {
  const epochs = trial.epochs.map((e) => ({ ...e, execution: e.execution ?? 0 }));
  const executions = Math.max(0, ...epochs.map((e) => e.execution + 1));
  return executions === 0 ? null : TrialExecutions.resumed(objective, epochs, executions).means().value;
}
