// @ts-check
// ECharts options for the search page: learning curves per trial, the optimization history, the
// parallel-coordinates plot of hyperparameters against the objective and the hyperparameter
// importances. Pure functions of what the API answered; the page calls setOption on every update.
import { better, fmtNumber, hyperparameterDefs, lastEpoch, objectiveOf, trialObjective } from './trials.js';

/** @typedef {import('./api-types.js').Search} Search */
/** @typedef {import('./api-types.js').Trial} Trial */
/** @typedef {import('./api-types.js').Importance} Importance */
/**
 * The little of ECharts' API the page uses (its browser bundle defines the global `echarts`).
 * @typedef {{ setOption(option: object, opts?: object): void, resize(): void, dispose(): void }} Chart
 */

const PALETTE = ['#4f6bed', '#e8684a', '#2fa37a', '#b45cd6', '#f2a93b', '#1d9bc4', '#d6457a', '#7a8a2e', '#8d6e63', '#5c6bc0'];
/** @param {number} number */
export const trialColor = (number) => PALETTE[(number - 1) % PALETTE.length];
/** @type {Record<string, string>} */
const STATUS_COLOR = { completed: '#2fa37a', pruned: '#f2a93b', failed: '#d64545', cancelled: '#9aa3ad', running: '#4f6bed', waiting: '#c3c9d0' };

const base = {
  animationDuration: 300,
  animationDurationUpdate: 300,
  textStyle: { fontFamily: 'inherit' },
  tooltip: { confine: true },
};

/**
 * A grey note while a chart has nothing to show (a title, so later updates simply hide it).
 * @param {boolean} empty
 * @param {string} text
 * @param {string | number} [top]
 */
const emptyNote = (empty, text, top = 'middle') => ({
  show: empty, text, left: 'center', top, textStyle: { color: '#9aa3ad', fontSize: 13, fontWeight: 'normal' },
});

/**
 * Echarts instance on `el`, resized with its box; dispose() when the view goes.
 * @param {HTMLElement} el
 * @returns {{ chart: Chart, dispose(): void }}
 */
export function mountChart(el) {
  const { echarts } = /** @type {{ echarts: { init(el: HTMLElement, theme: null, opts: object): Chart } }} */ (/** @type {unknown} */ (globalThis));
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  const observer = new ResizeObserver(() => chart.resize());
  observer.observe(el);
  return { chart, dispose: () => { observer.disconnect(); chart.dispose(); } };
}

/**
 * One line per trial that has epochs (per execution, where a trial trains several times): `metric`
 * per epoch, plus `dashedMetric` (validation loss next to training loss) as a dashed line of the
 * same trial. Lines of one trial share its name and colour, so the legend toggles them together.
 * @param {Search} search
 * @param {Trial[]} trials
 * @param {string} metric
 * @param {{ dashedMetric?: string, yName?: string }} [options]
 */
export function curvesOption(search, trials, metric, { dashedMetric, yName } = {}) {
  const started = trials.filter((t) => t.epochs?.length).sort((a, b) => a.number - b.number);
  /** @param {Trial} t */
  const executions = (t) => [...new Set(t.epochs.map((e) => e.execution ?? 0))].sort((a, b) => a - b);
  /** @param {Trial} t @param {number} execution @param {string} key @param {boolean} dashed */
  const line = (t, execution, key, dashed) => ({
    id: `${t.id}:${execution}:${key}`, name: `trial ${t.number}`, type: 'line', color: trialColor(t.number),
    data: t.epochs.filter((e) => (e.execution ?? 0) === execution).sort((a, b) => a.epoch - b.epoch).map((e) => [e.epoch, e[key]]),
    showSymbol: true, symbolSize: 6, emphasis: { focus: 'series' }, lineStyle: { width: 2, type: dashed ? 'dashed' : 'solid' },
  });
  const maxEpoch = Math.max(1, search?.spec?.training?.epochs ?? 1, ...trials.map((t) => Math.max(t.targetEpochs ?? 0, lastEpoch(t))));
  return {
    ...base,
    tooltip: { ...base.tooltip, trigger: 'axis', valueFormatter: fmtNumber },
    legend: { type: 'scroll', top: 0, data: started.map((t) => `trial ${t.number}`) },
    title: emptyNote(started.length === 0, 'No epoch finished yet'),
    grid: { left: 56, right: 20, top: 36, bottom: 40 },
    xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 26, min: 1, max: maxEpoch, minInterval: 1 },
    yAxis: { type: 'value', name: yName ?? metric, scale: true, axisLabel: { formatter: fmtNumber } },
    series: started.flatMap((t) => executions(t).flatMap((x) => [line(t, x, metric, false), ...(dashedMetric ? [line(t, x, dashedMetric, true)] : [])])),
  };
}

/**
 * Each finished trial's objective by trial number, and the best so far among completed trials.
 * @param {Search} search
 * @param {Trial[]} trials
 */
export function historyOption(search, trials) {
  const objective = objectiveOf(search);
  const isBetter = better(objective.direction);
  const points = trials
    .filter((t) => (t.status === 'completed' || t.status === 'pruned') && trialObjective(t, objective) !== null)
    .sort((a, b) => a.number - b.number);
  /** @type {[number, number][]} */
  const best = [];
  /** @type {number | null} */
  let sofar = null;
  for (const t of points) {
    const v = /** @type {number} */ (trialObjective(t, objective)); // points have one
    if (t.status === 'completed' && (sofar === null || isBetter(v, sofar))) sofar = v;
    if (sofar !== null) best.push([t.number, sofar]);
  }
  const maxNumber = Math.max(1, ...trials.map((t) => t.number));
  return {
    ...base,
    tooltip: { ...base.tooltip, trigger: 'item', formatter: (/** @type {{ seriesName: string, value: number[] }} */ p) => `${p.seriesName}<br>trial ${p.value[0]}: ${fmtNumber(p.value[1])}` },
    legend: { top: 0, data: ['objective', 'best so far'] },
    title: emptyNote(points.length === 0, 'No finished trial yet'),
    grid: { left: 56, right: 20, top: 36, bottom: 40 },
    xAxis: { type: 'value', name: 'trial', nameLocation: 'middle', nameGap: 26, min: 0, max: maxNumber + 1, minInterval: 1 },
    yAxis: { type: 'value', name: objective.metric, scale: true, axisLabel: { formatter: fmtNumber } },
    series: [
      {
        id: 'objective', name: 'objective', type: 'scatter', symbolSize: 11, color: STATUS_COLOR.completed,
        data: points.map((t) => ({ value: [t.number, trialObjective(t, objective)], itemStyle: { color: STATUS_COLOR[t.status] } })),
      },
      { id: 'best', name: 'best so far', type: 'line', step: 'end', showSymbol: false, color: '#4f6bed', lineStyle: { width: 2 }, data: best },
    ],
  };
}

/**
 * One axis per hyperparameter and one for the objective; a line per finished trial, coloured by
 * its objective. Choice, boolean and fixed hyperparameters are category axes; a hyperparameter a
 * trial lacks (conditional) is left out of its line.
 * @param {Search} search
 * @param {Trial[]} trials
 */
export function parallelOption(search, trials) {
  const objective = objectiveOf(search);
  const done = trials
    .filter((t) => (t.status === 'completed' || t.status === 'pruned') && trialObjective(t, objective) !== null)
    .sort((a, b) => a.number - b.number);
  const defs = hyperparameterDefs(search, trials);
  /** @type {{ dim: number, name: string, type: string, [option: string]: unknown }[]} */
  const axes = defs.map((d, i) => {
    const common = { dim: i, name: d.name };
    if (d.type === 'int' || d.type === 'float') {
      const log = d.sampling === 'log' && (d.min ?? 0) > 0;
      return { ...common, type: log ? 'log' : 'value', min: d.min, max: d.max, axisLabel: { formatter: fmtNumber } };
    }
    const values = d.type === 'boolean' ? [false, true] : d.type === 'fixed' ? [d.value] : d.values ?? [];
    const seen = done.map((t) => t.hyperparameters?.[d.name]).filter((v) => v !== undefined && !values.includes(v));
    return { ...common, type: 'category', data: [...values, ...new Set(seen)].map(String) };
  });
  const objectiveDim = axes.length;
  axes.push({ dim: objectiveDim, name: objective.metric, type: 'value', scale: true, nameTextStyle: { fontWeight: 'bold' }, axisLabel: { formatter: fmtNumber } });
  const data = done.map((t) => ({
    name: `trial ${t.number}`,
    value: [
      ...defs.map((d, i) => {
        const v = t.hyperparameters?.[d.name];
        if (v === undefined || v === null) return null;
        return axes[i].type === 'category' ? String(v) : v;
      }),
      trialObjective(t, objective),
    ],
  }));
  const values = data.map((d) => /** @type {number} */ (d.value[objectiveDim])); // done trials have one
  const [lo, hi] = values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
  return {
    ...base,
    tooltip: { ...base.tooltip, trigger: 'item', formatter: (/** @type {{ name: string, value: number[] }} */ p) => `${p.name}: ${objective.metric} ${fmtNumber(p.value[objectiveDim])}` },
    parallel: { left: 48, right: 96, top: 48, bottom: 28, parallelAxisDefault: { nameLocation: 'end', nameGap: 14, nameTextStyle: { fontSize: 11 }, nameTruncate: { maxWidth: 90 } } },
    parallelAxis: axes,
    title: emptyNote(data.length === 0, 'No finished trial yet', 4),
    visualMap: {
      type: 'continuous', dimension: objectiveDim, min: lo, max: hi === lo ? lo + 1e-9 : hi, right: 8, top: 'middle', itemHeight: 120,
      text: [objective.direction === 'min' ? 'worse' : 'better', objective.direction === 'min' ? 'better' : 'worse'],
      inRange: { color: objective.direction === 'min' ? ['#2fa37a', '#f2a93b', '#d64545'] : ['#d64545', '#f2a93b', '#2fa37a'] },
      calculable: false, precision: 4,
    },
    series: [{ id: 'trials', name: 'trials', type: 'parallel', lineStyle: { width: 2.5, opacity: 0.85 }, emphasis: { lineStyle: { width: 4 } }, data }],
  };
}

/**
 * One horizontal bar per hyperparameter, its share of the importance (GET /searches/:id/importance),
 * the largest on top; while there is none, the API's reason as the chart's note.
 * @param {Importance | null} importance null: not read yet
 */
export function importanceOption(importance) {
  const items = importance?.importances ?? [];
  // ECharts draws a category y axis bottom-up: reversed, the largest is on top.
  const bars = [...items].reverse();
  const note = importance === null ? 'Loading…' : importance.reason ?? 'No importance yet';
  return {
    ...base,
    tooltip: {
      ...base.tooltip, trigger: 'item',
      formatter: (/** @type {{ name: string, value: number, dataIndex: number }} */ p) => `${p.name}: ${fmtNumber(p.value)} (${bars[p.dataIndex].trials} trials)`,
    },
    title: emptyNote(items.length === 0, note),
    grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: fmtNumber } },
    yAxis: { type: 'category', data: bars.map((i) => i.name), axisLabel: { width: 120, overflow: 'truncate' } },
    series: [{
      id: 'importance', name: 'importance', type: 'bar', color: '#4f6bed', barMaxWidth: 22,
      label: { show: true, position: 'right', formatter: (/** @type {{ value: number }} */ p) => p.value.toFixed(3) },
      data: bars.map((i) => i.importance),
    }],
  };
}
