// A multi-objective search's Pareto front as a table: one row per trial on it, a column per
// objective (in spec.objectives' order), best primary value first.
import type { SearchView } from '../schemas/search-schemas.js';
import { fmtMetric, fmtValue } from './format.js';
import { renderTable } from './render-table.js';

interface Objective { name: string; direction: string }

const objectivesOf = (spec: unknown): Objective[] => {
  const list = (spec as { objectives?: unknown } | null)?.objectives;
  return Array.isArray(list) ? list.filter((o): o is Objective => typeof o?.name === 'string') : [];
};

/** The front's lines (a heading and a table), or '' for a search without one. */
export function paretoFrontText(search: Pick<SearchView, 'paretoFront' | 'spec'>, trialNumbers: Map<string, number> = new Map()): string {
  const front = search.paretoFront;
  const objectives = objectivesOf(search.spec);
  if (!front || objectives.length === 0) return '';
  if (front.length === 0) return 'Pareto front: no completed trial yet\n';
  const [primary] = objectives;
  const sign = primary.direction === 'min' ? 1 : -1;
  const rows = [...front].sort((a, b) => sign * ((a.values[primary.name] ?? 0) - (b.values[primary.name] ?? 0)));
  const cell = (name: string, v: number | undefined) => (name === 'params' ? fmtValue(v) : fmtMetric(v));
  return `Pareto front (${objectives.map((o) => `${o.name} ${o.direction}`).join(', ')}): ${front.length} trial${front.length === 1 ? '' : 's'}\n`
    + renderTable({
      headers: ['trial', ...objectives.map((o) => o.name)],
      rows: rows.map((p) => [fmtValue(trialNumbers.get(p.trialId) ?? p.trialId), ...objectives.map((o) => cell(o.name, p.values[o.name]))]),
    });
}
