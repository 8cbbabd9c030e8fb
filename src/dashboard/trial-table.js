// @ts-check
// The trial table: one row per trial, one column per hyperparameter and per metric, sorted by
// clicking a header (again: the other direction). Empty cells (a conditional hyperparameter a
// trial did not use, a metric not known yet) sort last either way.
import { el, fill } from './dom.js';
import {
  durationMs, extraFields, fmtDuration, fmtField, fmtNumber, hyperparameterDefs, label, lastEpoch, objectiveOf, statusBadge,
  targetEpochs,
} from './trials.js';

/** @typedef {import('./api-types.js').Search} Search */
/** @typedef {import('./api-types.js').Trial} Trial */
/**
 * A column: `value` sorts, `text` (else the value) or `node` shows.
 * @typedef {object} Column
 * @property {string} key
 * @property {string} label
 * @property {string} [title]
 * @property {boolean} [hp]
 * @property {(t: Trial) => unknown} value
 * @property {(t: Trial) => string} [text]
 * @property {(t: Trial) => Node} [node]
 */

/** @param {Search | null} search @param {Trial[]} trials @returns {Column[]} */
function columns(search, trials) {
  const byId = new Map(trials.map((t) => [t.id, t]));
  const objective = objectiveOf(search);
  /** @type {Column[]} */
  const cols = [
    { key: 'number', label: '#', value: (t) => t.number },
    { key: 'status', label: 'status', value: (t) => t.status, node: (t) => statusBadge(t.status, t.error ?? '') },
    ...hyperparameterDefs(search, trials).map((d) => /** @type {Column} */ ({
      key: `hp:${d.name}`, label: d.name, hp: true,
      value: (t) => t.hyperparameters?.[d.name],
      text: (t) => { const v = t.hyperparameters?.[d.name]; return typeof v === 'number' ? fmtNumber(v) : String(v ?? ''); },
    })),
  ];
  if (trials.some((t) => typeof t.value === 'number')) {
    cols.push({ key: 'value', label: 'objective', title: `${objective.metric}, ${objective.direction}imized`, value: (t) => t.value, text: (t) => fmtFixed(t.value) });
  }
  cols.push(
    { key: 'valAccuracy', label: 'val_accuracy', value: (t) => t.valAccuracy, text: (t) => fmtFixed(t.valAccuracy) },
    { key: 'epochs', label: 'epochs', value: lastEpoch, text: (t) => `${lastEpoch(t)}${targetEpochs(search, t) ? `/${targetEpochs(search, t)}` : ''}` },
    { key: 'backend', label: 'backend', value: (t) => t.backend },
    { key: 'duration', label: 'duration', value: (t) => durationMs(t), text: (t) => fmtDuration(durationMs(t)) },
    ...extraFields(trials).map((k) => /** @type {Column} */ ({ key: `x:${k}`, label: label(k), value: (t) => t[k], text: (t) => fmtField(t[k], byId) })),
  );
  return cols;
}

/** @param {unknown} v */
const fmtFixed = (v) => (typeof v === 'number' ? v.toFixed(4) : '');

/** @param {unknown} a @param {unknown} b @returns {number} */
function compare(a, b) {
  const empty = (/** @type {unknown} */ v) => v === undefined || v === null || v === '';
  if (empty(a) || empty(b)) return Number(empty(a)) - Number(empty(b));
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

/** @param {HTMLElement} root */
export function createTrialTable(root) {
  let sort = { key: 'number', dir: 1 };
  /** @type {{ search: Search | null, trials: Trial[], bestTrialId: string | null }} */
  let last = { search: null, trials: [], bestTrialId: null };

  root.addEventListener('click', (e) => {
    const th = e.target instanceof Element ? e.target.closest('th[data-key]') : null;
    if (!(th instanceof HTMLElement) || th.dataset.key === undefined) return;
    sort = sort.key === th.dataset.key ? { key: sort.key, dir: -sort.dir } : { key: th.dataset.key, dir: 1 };
    render();
  });

  function render() {
    const { search, trials, bestTrialId } = last;
    if (!trials.length) {
      fill(root, el('p', { class: 'empty' }, 'No trials yet: the first ones start when a worker picks them up.'));
      return;
    }
    const cols = columns(search, trials);
    const col = cols.find((c) => c.key === sort.key) ?? cols[0];
    const rows = [...trials].sort((a, b) => {
      const av = col.value(a);
      const bv = col.value(b);
      const empty = (/** @type {unknown} */ v) => v === undefined || v === null || v === '';
      if (empty(av) !== empty(bv)) return compare(av, bv); // empty last in both directions
      return sort.dir * compare(av, bv) || a.number - b.number;
    });
    const head = cols.map((c) => el('th', {
      'data-key': c.key,
      'aria-sort': c.key === col.key ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none',
      class: c.hp ? 'hp' : null,
      title: c.title ? `${c.title}; click to sort` : 'click to sort',
    }, c.label));
    const cell = (/** @type {Column} */ c, /** @type {Trial} */ t) => (c.node ? c.node(t) : String((c.text ? c.text(t) : c.value(t)) ?? ''));
    const body = rows.map((t) => el('tr', { 'data-trial-id': t.id, 'data-number': t.number, class: t.id === bestTrialId ? 'best' : null },
      cols.map((c) => el('td', { class: c.hp ? 'hp' : null, 'data-key': c.key }, cell(c, t)))));
    const scrolled = root.querySelector('.table-scroll')?.scrollLeft ?? 0; // live updates keep the reader's place
    const scroll = el('div', { class: 'table-scroll' }, el('table', { class: 'trials' }, el('thead', {}, el('tr', {}, head)), el('tbody', {}, body)));
    fill(root, scroll);
    scroll.scrollLeft = scrolled;
  }

  return {
    /** @param {Search} search @param {Trial[]} trials */
    update(search, trials) {
      last = { search, trials, bestTrialId: search?.bestTrial?.id ?? null };
      render();
    },
  };
}
