// @ts-check
// One search: its trials (table, learning curves, optimization history, parallel coordinates), the
// hyperparameters' importances, its best model and a box to try it. Loaded from GET /searches/:id and /trials, then kept live by the
// event stream: epochs extend the curves as they arrive; a trial's start or end re-reads the
// search and its trials (which carry every field, including ones this page has no event for).
import { api, apiPages, followEvents } from './api.js';
import { curvesOption, historyOption, importanceOption, mountChart, parallelOption } from './charts.js';
import { el, fill, find } from './dom.js';
import { renderModelSummary } from './model-summary.js';
import { createPredictBox } from './predict-box.js';
import { objectivesOf, paretoOption } from './pareto-chart.js';
import { createTrialTable } from './trial-table.js';
import { FINAL_STATUSES, fmtNumber, objectiveOf, statusBadge } from './trials.js';

/** @typedef {import('./api-types.js').Search} Search */
/** @typedef {import('./api-types.js').Trial} Trial */
/** @typedef {import('./api-types.js').Model} Model */
/** @typedef {import('./api-types.js').Importance} Importance */
/** @typedef {import('./dom.js').Child} Child */

/** @param {Child} title @param {HTMLElement} body */
const card = (title, body) => el('section', { class: 'card' }, el('h2', {}, title), body);
/** @param {string} id */
const chart = (id) => el('div', { id, class: 'chart' });

function layout() {
  return [
    el('section', { class: 'card search-head', id: 'search-head' }, el('p', { class: 'muted' }, 'Loading…')),
    card('Trials', el('div', { id: 'trial-table' })),
    el('div', { class: 'grid two' },
      card('Validation accuracy per epoch', chart('chart-val-accuracy')),
      card(['Loss per epoch ', el('span', { class: 'muted' }, '(solid: training, dashed: validation)')], chart('chart-loss')),
      card('Optimization history', chart('chart-history')),
      card('Hyperparameters vs objective', chart('chart-parallel')),
      card(['Hyperparameter importance ', el('span', { class: 'muted', id: 'importance-about' }, '')], chart('chart-importance'))),
    // Filled once the search turns out to have several objectives.
    el('div', { id: 'pareto-slot' }),
    el('div', { class: 'grid two' },
      card('Best model', el('div', { id: 'model-summary' })),
      card('Try the best model', el('div', { id: 'predict-box' }))),
  ];
}

/** @param {Search} s */
const isFinalSearch = (s) => ['completed', 'failed', 'cancelled'].includes(s.status);

/**
 * The search's title row and facts: the children of #search-head.
 * @param {Search} search
 * @param {Trial[]} trials
 */
function header(search, trials) {
  const c = search.trials ?? {};
  const o = objectiveOf(search);
  const spec = search.spec ?? {};
  const best = search.bestTrial;
  const bestValue = best ? (typeof best.value === 'number' ? best.value : best.valAccuracy) : null;
  const counts = ['running', 'completed', 'pruned', 'failed', 'cancelled', 'waiting']
    .filter((k) => c[k]).map((k) => `${c[k]} ${k}`).join(', ');
  /** @param {string} dt @param {Child} dd @param {string | null} [id] */
  const fact = (dt, dd, id = null) => el('div', { id }, el('dt', {}, dt), el('dd', {}, dd));
  /** @param {string} text @returns {import('./dom.js').Leaf[]} */
  const muted = (text) => [' ', el('span', { class: 'muted' }, text)];
  return [
    el('div', { class: 'title-row' },
      el('h1', {}, search.name), statusBadge(search.status), el('code', { class: 'muted', title: 'search id' }, search.id)),
    search.error ? el('p', { class: 'error' }, search.error) : null,
    el('dl', { class: 'facts' },
      fact('objective', objectivesOf(search)?.map((x) => `${x.name} (${x.direction})`).join(', ') ?? `${o.metric} (${o.direction})`),
      fact('best', !best || typeof bestValue !== 'number' ? '–' : [el('strong', {}, bestValue.toFixed(4)), muted(`trial #${best.number}`)], 'search-best'),
      fact('trials', [`${trials.length}/${spec.budget?.maxTrials ?? '?'}`, counts ? muted(`(${counts})`) : null]),
      fact('algorithm', spec.algorithm?.name ?? ''),
      fact('dataset', [spec.dataset?.id ?? '', spec.dataset?.limit ? muted(`(${fmtNumber(spec.dataset.limit)} images)`) : null]),
      fact('training', spec.training ? `${spec.training.epochs} epochs, batch ${spec.training.batchSize}` : ''),
      fact('created', new Date(search.createdAt).toLocaleString())),
  ];
}

/**
 * @param {HTMLElement} root
 * @param {string} id the search's
 * @param {import('./app.js').PageContext} context
 * @returns {() => void} leaves the page: stops following and frees the charts
 */
export function showSearch(root, id, { setCrumbs, onError, setLive }) {
  fill(root, layout());
  /** @param {string} sel */
  const $ = (sel) => find(sel, root);
  const table = createTrialTable($('#trial-table'));
  const charts = {
    valAccuracy: mountChart($('#chart-val-accuracy')),
    loss: mountChart($('#chart-loss')),
    history: mountChart($('#chart-history')),
    parallel: mountChart($('#chart-parallel')),
    importance: mountChart($('#chart-importance')),
  };
  /** @type {ReturnType<typeof mountChart> | null} */
  let pareto = null;
  const predictBox = createPredictBox($('#predict-box'));
  const abort = new AbortController();
  /** @type {{ search: Search | null, trials: Map<string, Trial>, modelId: string | null | undefined, importance: Importance | null }} */
  const state = { search: null, trials: new Map(), modelId: undefined, importance: null };

  let frame = 0;
  const render = () => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; draw(); }); };
  function draw() {
    const { search } = state;
    if (!search || abort.signal.aborted) return;
    const trials = [...state.trials.values()].sort((a, b) => a.number - b.number);
    fill($('#search-head'), header(search, trials));
    table.update(search, trials);
    const series = { replaceMerge: ['series'] };
    charts.valAccuracy.chart.setOption(curvesOption(search, trials, 'valAccuracy', { yName: 'val_accuracy' }), series);
    charts.loss.chart.setOption(curvesOption(search, trials, 'loss', { dashedMetric: 'valLoss', yName: 'loss' }), series);
    charts.history.chart.setOption(historyOption(search, trials), series);
    charts.parallel.chart.setOption(parallelOption(search, trials), { replaceMerge: ['series', 'parallelAxis'] });
    charts.importance.chart.setOption(importanceOption(state.importance), { replaceMerge: ['series', 'yAxis'] });
    const about = state.importance;
    find('#importance-about', root).textContent = about?.importances.length ? `(${about.method}: the top ${Math.round((about.baselineQuantile ?? 0.1) * 100)} % of ${about.trials} trials by ${about.objective.metric})` : '';
    if (objectivesOf(search)) {
      if (!pareto) {
        fill($('#pareto-slot'), [card(['Pareto front ', el('span', { class: 'muted' }, '(first two objectives; front points joined)')], chart('chart-pareto'))]);
        pareto = mountChart($('#chart-pareto'));
      }
      pareto.chart.setOption(paretoOption(search, trials), series);
    }
    if (search.bestModelId !== state.modelId) loadModel(search.bestModelId, search.bestTrial?.number);
  }

  /** @param {string | null | undefined} modelId @param {number | undefined} trialNumber */
  async function loadModel(modelId, trialNumber) {
    state.modelId = modelId;
    /** @type {Model | null} */
    const model = modelId ? await api(`/models/${encodeURIComponent(modelId)}`, { signal: abort.signal }).catch(fail) : null;
    if (abort.signal.aborted || state.modelId !== modelId) return;
    renderModelSummary($('#model-summary'), model ?? null, trialNumber);
    predictBox.setModel(model ?? null);
  }

  /** @param {string} trialId @param {Partial<Trial>} fields */
  function upsert(trialId, fields) {
    // An event may come before the trial's first read; `fields` bring its number.
    const t = state.trials.get(trialId) ?? /** @type {Trial} */ (/** @type {unknown} */ (
      { id: trialId, hyperparameters: {}, epochs: [], status: 'running', startedAt: null, finishedAt: null }));
    state.trials.set(trialId, { ...t, ...fields });
    render();
  }

  async function refresh() {
    /** @type {[Search, { items: Trial[] }]} */
    const [search, { items: trials }] = await Promise.all([
      api(`/searches/${encodeURIComponent(id)}`, { signal: abort.signal }),
      // Every trial, page by page: the charts and the table show them all.
      apiPages(`/searches/${encodeURIComponent(id)}/trials`, 'trials', { signal: abort.signal }),
    ]);
    state.search = search;
    for (const t of trials) {
      const known = state.trials.get(t.id);
      // An epoch event may have arrived after this read: keep the longer history.
      state.trials.set(t.id, known && known.epochs.length > t.epochs.length ? { ...t, epochs: known.epochs } : t);
    }
    setCrumbs([{ text: 'Searches', href: '#/' }, { text: search.name }]);
    render();
    loadImportance();
    return { search, trials };
  }

  // Read again with the trials (a trial's end changes it); a failure shows in the chart, not as the page's error.
  async function loadImportance() {
    /** @type {Importance | null} */
    const importance = await api(`/searches/${encodeURIComponent(id)}/importance`, { signal: abort.signal }).catch((err) => (
      err?.name === 'AbortError' ? null : { objective: { metric: '', direction: '' }, method: '', trials: 0, importances: [], reason: `No importance: ${err?.message ?? err}` }));
    if (!importance || abort.signal.aborted) return;
    state.importance = importance;
    render();
  }
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let refreshTimer;
  const scheduleRefresh = () => { clearTimeout(refreshTimer); refreshTimer = setTimeout(() => refresh().catch(fail), 300); };

  /**
   * An event's data as src/services/search-events.ts sends it.
   * @param {string} name
   * @param {any} d
   */
  function onEvent(name, d) {
    const known = state.trials.get(d.trialId);
    if (name === 'trial.started') {
      const status = known && FINAL_STATUSES.includes(known.status) ? known.status : 'running';
      upsert(d.trialId, { number: d.number, hyperparameters: d.hyperparameters, startedAt: d.startedAt, status });
      scheduleRefresh();
    } else if (name === 'trial.epoch') {
      const { searchId: _s, trialId: _t, number, ...epoch } = d;
      const same = (/** @type {import('./api-types.js').Epoch} */ e) => e.epoch === epoch.epoch && (e.execution ?? 0) === (epoch.execution ?? 0);
      const epochs = (known?.epochs ?? []).filter((e) => !same(e)).concat(epoch);
      upsert(d.trialId, { number, epochs });
    } else if (name === 'trial.finished') {
      const { searchId: _s, trialId: _t, epochs: _e, ...fields } = d;
      upsert(d.trialId, fields);
      scheduleRefresh();
    } else if (name === 'search.finished') {
      scheduleRefresh();
    }
  }

  /** @param {any} err */
  function fail(err) {
    if (abort.signal.aborted || err?.name === 'AbortError') return null;
    if (err?.status === 404) {
      fill(root, el('section', { class: 'card' },
        el('p', { class: 'error' }, 'No search ', el('code', {}, id), ' here.'), el('p', {}, el('a', { href: '#/' }, 'All searches'))));
      return null;
    }
    onError(err);
    return null;
  }

  // Running trials' durations tick.
  const ticker = setInterval(() => { if ([...state.trials.values()].some((t) => t.status === 'running')) render(); }, 1000);

  refresh().then(({ search, trials }) => {
    if (isFinalSearch(search) && trials.every((t) => FINAL_STATUSES.includes(t.status))) return;
    return followEvents(`/searches/${encodeURIComponent(id)}/events`, onEvent, { signal: abort.signal, onState: (s) => setLive(s === 'live') });
  }).catch(fail);

  return () => {
    abort.abort();
    clearInterval(ticker);
    clearTimeout(refreshTimer);
    cancelAnimationFrame(frame);
    setLive(false);
    predictBox.dispose();
    for (const c of Object.values(charts)) c.dispose();
    pareto?.dispose();
  };
}
