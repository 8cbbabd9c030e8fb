import type { SearchView, TrialView } from '../../schemas/search-schemas.js';
import { renderTable } from '../render-table.js';
import { specInfo } from '../spec-info.js';
import { trialErrors, trialTable } from '../trial-table.js';
import { printJson, type Command } from './command.js';

export const trials: Command = {
  path: ['trials'],
  args: ['<searchId>'],
  summary: "a search's trials: number, status, each hyperparameter, val_accuracy (or the objective), epochs",
  details: 'A hyperparameter a trial does not use (a conditional one) is empty; fields the table does not know are shown as extra columns.',
  options: ['json'],
  async run({ api, args: [id], values, out }) {
    const path = `/searches/${encodeURIComponent(id)}`;
    // The search first: a 404 names the search, and its spec orders the columns.
    const search = await api.json<SearchView>('GET', path);
    const body = await api.json<{ trials: TrialView[] }>('GET', `${path}/trials`);
    if (values.json) { printJson(out, body); return 0; }
    if (body.trials.length === 0) { out.write(`search ${id} has no trials yet (${search.status})\n`); return 0; }
    out.write(renderTable(trialTable(body.trials, specInfo(search.spec))));
    for (const line of trialErrors(body.trials)) out.write(`${line}\n`);
    return 0;
  },
};
