// @ts-check
// A multi-objective search's Pareto front: every completed trial by its first two objectives, the
// front's trials highlighted and joined in order of the first objective. Pure, like charts.js.
import { fmtNumber } from './trials.js';

/** @typedef {import('./api-types.js').Search} Search */
/** @typedef {import('./api-types.js').Trial} Trial */

const FRONT = '#e8684a';
const OTHER = '#9aa3ad';

/** The search's objectives when it has several, else null. @param {Search | null} search */
export const objectivesOf = (search) => {
  const list = search?.spec?.objectives;
  return Array.isArray(list) && list.length > 1 ? list : null;
};

/**
 * @param {Search} search
 * @param {Trial[]} trials
 */
export function paretoOption(search, trials) {
  const objectives = objectivesOf(search) ?? [];
  const [x, y] = objectives;
  const onFront = new Set((search.paretoFront ?? []).map((p) => p.trialId));
  /** @param {Trial} t */
  const point = (t) => ({ name: `trial ${t.number}`, value: [t.objectiveValues?.[x.name], t.objectiveValues?.[y.name], t.number] });
  const scored = trials.filter((t) => t.status === 'completed' && t.objectiveValues && x && y);
  const front = scored.filter((t) => onFront.has(t.id)).map(point).sort((a, b) => Number(a.value[0]) - Number(b.value[0]));
  const arrow = (/** @type {{ direction: string }} */ o) => (o.direction === 'min' ? ' (min)' : ' (max)');
  return {
    animationDuration: 300,
    textStyle: { fontFamily: 'inherit' },
    tooltip: {
      confine: true, trigger: 'item',
      formatter: (/** @type {{ name: string, value: number[] }} */ p) => `${p.name}<br>${x.name}: ${fmtNumber(p.value[0])}<br>${y.name}: ${fmtNumber(p.value[1])}`,
    },
    legend: { top: 0, data: ['Pareto front', 'other trials'] },
    title: { show: scored.length === 0, text: 'No completed trial yet', left: 'center', top: 'middle', textStyle: { color: OTHER, fontSize: 13, fontWeight: 'normal' } },
    grid: { left: 64, right: 24, top: 36, bottom: 44 },
    xAxis: { type: 'value', name: x ? x.name + arrow(x) : '', nameLocation: 'middle', nameGap: 28, scale: true, axisLabel: { formatter: fmtNumber } },
    yAxis: { type: 'value', name: y ? y.name + arrow(y) : '', scale: true, axisLabel: { formatter: fmtNumber } },
    series: [
      { id: 'others', name: 'other trials', type: 'scatter', symbolSize: 9, color: OTHER, data: scored.filter((t) => !onFront.has(t.id)).map(point) },
      {
        id: 'front', name: 'Pareto front', type: 'line', color: FRONT, symbol: 'circle', symbolSize: 12, showSymbol: true,
        lineStyle: { width: 2 }, data: front, z: 3,
      },
    ],
  };
}
