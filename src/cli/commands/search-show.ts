import type { SearchView, TrialView } from '../../schemas/search-schemas.js';
import { searchSummary } from '../event-lines.js';
import { paretoFrontText } from '../pareto-table.js';
import { specInfo } from '../spec-info.js';
import { printJson, type Command } from './command.js';

export const searchShow: Command = {
  path: ['search', 'show'],
  args: ['<search-id>'],
  summary: 'show a search (GET /searches/:id): its status, best trial and, with several objectives, its Pareto front',
  options: ['json'],
  async run({ api, args: [id], values, out }) {
    const path = `/searches/${encodeURIComponent(id)}`;
    const search = await api.json<SearchView>('GET', path);
    if (values.json) {
      printJson(out, search);
      return 0;
    }
    out.write(`${searchSummary(search as unknown as Record<string, unknown>, specInfo(search.spec).metric)}\n`);
    if (search.paretoFront) {
      // Trial numbers read better than ids; only a front needs them.
      const trials = await api.all<TrialView>(`${path}/trials`, 'trials');
      out.write(`\n${paretoFrontText(search, new Map(trials.map((t) => [t.id, t.number])))}`);
    }
    return 0;
  },
};
