import type { SearchView } from '../../schemas/search-schemas.js';
import { fmtMetric } from '../format.js';
import { renderTable } from '../render-table.js';
import { specInfo } from '../spec-info.js';
import { printJson, type Command } from './command.js';

export const searchList: Command = {
  path: ['search', 'list'],
  args: [],
  summary: 'list searches, newest first: id, name, status, trials, best objective value',
  details: 'trials: finished / the budget\'s maxTrials, then how many run now.',
  options: ['json'],
  async run({ api, values, out }) {
    const body = await api.json<{ searches: SearchView[] }>('GET', '/searches');
    if (values.json) { printJson(out, body); return 0; }
    if (body.searches.length === 0) { out.write('no searches\n'); return 0; }
    const rows = body.searches.map((s) => {
      const spec = specInfo(s.spec);
      const counts = s.trials;
      // Whatever is neither waiting nor running has ended.
      const finished = counts.total - counts.waiting - counts.running;
      const running = counts.running ? ` (${counts.running} running)` : '';
      const best = s.bestTrial ? fmtMetric(s.bestTrial.value ?? s.bestTrial.valAccuracy) : '';
      return [s.id, s.name, s.status, `${finished}/${spec.maxTrials ?? counts.total}${running}`, best, spec.metric];
    });
    out.write(renderTable({ headers: ['id', 'name', 'status', 'trials', 'best', 'objective'], rows }));
    return 0;
  },
};
