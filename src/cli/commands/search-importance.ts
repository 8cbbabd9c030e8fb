import { OBJECTIVE_METRICS } from '../../domain/algorithms.js';
import type { ImportanceView } from '../../schemas/importance-schemas.js';
import { CliError } from '../api-client.js';
import { printable } from '../format.js';
import { renderTable } from '../render-table.js';
import { printJson, type Command } from './command.js';

const METRICS: readonly string[] = OBJECTIVE_METRICS;
const BAR_WIDTH = 30;

export const searchImportance: Command = {
  path: ['search', 'importance'],
  args: ['<searchId>'],
  summary: "which hyperparameters mattered: each one's share of the objective's importance (PED-ANOVA), largest first",
  details: "Compares each hyperparameter's values among the top 10 % of completed trials with all of them (Optuna's PED-ANOVA); "
    + "the shares sum to 1. --objective explains another metric than the search's. A conditional hyperparameter is scored over the trials where it was active (its trials column).",
  options: ['json', 'objective'],
  async run({ api, args: [id], values, out }) {
    const metric = values.objective;
    if (metric !== undefined && !METRICS.includes(metric)) throw new CliError(`--objective must be one of ${METRICS.join(', ')}, got '${metric}'`, 2);
    const query = metric === undefined ? '' : `?objective=${encodeURIComponent(metric)}`;
    const r = await api.json<ImportanceView>('GET', `/searches/${encodeURIComponent(id)}/importance${query}`);
    if (values.json) { printJson(out, r); return 0; }
    // printable: the API's words reach the terminal escaped.
    const about = printable(`${r.objective.metric} (${r.objective.direction}), ${r.trials} completed trial(s), ${r.method} on the top ${r.baselineQuantile * 100} %`);
    if (r.importances.length === 0) { out.write(`no importances for ${about}: ${printable(r.reason ?? 'nothing to compare')}\n`); return 0; }
    const rows = r.importances.map((i) => [i.name, i.importance.toFixed(4), '#'.repeat(Math.round(i.importance * BAR_WIDTH)), String(i.trials)]);
    out.write(renderTable({ headers: ['hyperparameter', 'importance', '', 'trials'], rows }));
    out.write(`${about}${r.reason ? `; ${printable(r.reason)}` : ''}\n`);
    return 0;
  },
};
