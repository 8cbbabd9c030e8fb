import type { SearchView, TrialView } from '../../schemas/search-schemas.js';
import { limitOption } from '../options.js';
import { renderTable } from '../render-table.js';
import { specInfo } from '../spec-info.js';
import { trialErrors, trialTable } from '../trial-table.js';
import { printJson, type Command } from './command.js';

export const trials: Command = {
  path: ['trials'],
  args: ['<searchId>'],
  summary: "a search's trials: number, status, each hyperparameter, val_accuracy (or the objective), epochs",
  details: 'Every page is read unless --limit (the first N trials by number). A hyperparameter a trial does not use (a conditional one) is empty; fields the table does not know are shown as extra columns.',
  options: ['json', 'limit'],
  async run({ api, args: [id], values, out }) {
    const path = `/searches/${encodeURIComponent(id)}`;
    const max = limitOption(values);
    // The search first: a 404 names the search, and its spec orders the columns.
    const search = await api.json<SearchView>('GET', path);
    const trials = await api.all<TrialView>(`${path}/trials`, 'trials', { max });
    if (values.json) { printJson(out, { trials, nextCursor: null }); return 0; }
    if (trials.length === 0) { out.write(`search ${id} has no trials yet (${search.status})\n`); return 0; }
    out.write(renderTable(trialTable(trials, specInfo(search.spec))));
    for (const line of trialErrors(trials)) out.write(`${line}\n`);
    return 0;
  },
};
