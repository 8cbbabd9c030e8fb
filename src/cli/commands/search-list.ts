import type { SearchSummaryView } from '../../schemas/search-schemas.js';
import { fmtMetric } from '../format.js';
import { limitOption } from '../options.js';
import { renderTable } from '../render-table.js';
import { printJson, type Command } from './command.js';

export const searchList: Command = {
  path: ['search', 'list'],
  args: [],
  summary: 'list searches, newest first: id, name, status, trials, best objective value',
  details: 'trials: finished / the budget\'s maxTrials, then how many run now. Every page is read unless --limit.',
  options: ['json', 'limit'],
  async run({ api, values, out }) {
    const searches = await api.all<SearchSummaryView>('/searches', 'searches', { max: limitOption(values) });
    // One list, as the API would answer it were it a single page.
    if (values.json) { printJson(out, { searches, nextCursor: null }); return 0; }
    if (searches.length === 0) { out.write('no searches\n'); return 0; }
    const rows = searches.map((s) => {
      const counts = s.trials;
      // Whatever is neither waiting nor running has ended.
      const finished = counts.total - counts.waiting - counts.running;
      const running = counts.running ? ` (${counts.running} running)` : '';
      const best = s.bestTrial ? fmtMetric(s.bestTrial.value ?? s.bestTrial.valAccuracy) : '';
      return [s.id, s.name, s.status, `${finished}/${s.maxTrials || counts.total}${running}`, best, s.objective.metric];
    });
    out.write(renderTable({ headers: ['id', 'name', 'status', 'trials', 'best', 'objective'], rows }));
    return 0;
  },
};
