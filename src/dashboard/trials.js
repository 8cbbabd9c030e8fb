// @ts-check
// What the dashboard derives from a search and its trials: hyperparameter columns, the objective
// of a trial, formatting. Written against the API's shapes loosely: fields a newer API adds to a
// trial (value, rung, bracket, parentTrialId, source, ...) show up without changes here.
import { el } from './dom.js';

/** @typedef {import('./api-types.js').Search} Search */
/** @typedef {import('./api-types.js').Trial} Trial */
/** @typedef {import('./api-types.js').HyperparameterDef} HyperparameterDef */
/** @typedef {{ metric: string, direction: 'min' | 'max' }} Objective */

/** Trial fields shown in their own way; any other scalar field gets a generic column. */
const KNOWN_FIELDS = new Set([
  'id', 'searchId', 'number', 'status', 'hyperparameters', 'valAccuracy', 'value', 'epochs', 'backend', 'modelId',
  'error', 'attempts', 'createdAt', 'startedAt', 'finishedAt', 'heartbeatAt', 'targetEpochs',
]);

export const FINAL_STATUSES = ['completed', 'pruned', 'failed', 'cancelled'];

/** @param {unknown} v */
export function fmtNumber(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return v == null ? '' : String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const abs = Math.abs(v);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

/** @param {number | null} ms */
export function fmtDuration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** @param {Trial} t */
export function durationMs(t, now = Date.now()) {
  if (!t.startedAt) return null;
  return (t.finishedAt ? Date.parse(t.finishedAt) : now) - Date.parse(t.startedAt);
}

/** @param {string} status */
export const statusBadge = (status, title = '') =>
  el('span', { class: `badge status-${status}`, title: title || null }, status);

/**
 * The search's objective: its metric (e.g. val_accuracy) and direction; defaults as the API's.
 * @param {Search | null} search
 * @returns {Objective}
 */
export function objectiveOf(search) {
  const o = search?.spec?.objective ?? {};
  return { metric: o.metric ?? 'val_accuracy', direction: o.direction ?? 'max' };
}

/** @param {string} metric */
const camel = (metric) => metric.replace(/_([a-z])/g, (_, /** @type {string} */ c) => c.toUpperCase());

/**
 * A trial's objective value: the API's `value` where it reports one, else its best epoch's
 * objective metric (val_accuracy is the trial's valAccuracy).
 * @param {Trial} t
 * @param {Objective} objective
 * @returns {number | null}
 */
export function trialObjective(t, { metric, direction }) {
  if (typeof t.value === 'number') return t.value;
  if (metric === 'val_accuracy' && typeof t.valAccuracy === 'number') return t.valAccuracy;
  const values = (t.epochs ?? []).map((e) => e[camel(metric)]).filter((v) => typeof v === 'number');
  if (!values.length) return null;
  return direction === 'min' ? Math.min(...values) : Math.max(...values);
}

/** @param {'min' | 'max'} direction @returns {(a: number, b: number) => boolean} */
export const better = (direction) => (a, b) => (direction === 'min' ? a < b : a > b);

/**
 * Hyperparameter definitions for columns and axes: the spec's in its order, then names only
 * trials carry (added by a newer algorithm), typed from their values.
 * @param {Search | null} search
 * @param {Trial[]} trials
 * @returns {HyperparameterDef[]}
 */
export function hyperparameterDefs(search, trials) {
  const defs = (search?.spec?.hyperparameters ?? []).map((hp) => ({ ...hp }));
  const known = new Set(defs.map((d) => d.name));
  const extra = new Map();
  for (const t of trials) {
    for (const [name, v] of Object.entries(t.hyperparameters ?? {})) {
      if (known.has(name)) continue;
      if (!extra.has(name)) extra.set(name, new Set());
      extra.get(name).add(v);
    }
  }
  for (const [name, values] of [...extra].sort(([a], [b]) => a.localeCompare(b))) {
    const all = [...values];
    defs.push(all.every((v) => typeof v === 'number') ? { name, type: 'float' } : { name, type: 'choice', values: all });
  }
  return defs;
}

/**
 * Scalar trial fields the dashboard has no special place for (rung, bracket, source, ...): those
 * with a value in some trial, and not the same value in all (a constant column says nothing).
 * @param {Trial[]} trials
 */
export function extraFields(trials) {
  const values = new Map();
  for (const t of trials) {
    for (const [k, v] of Object.entries(t)) {
      if (KNOWN_FIELDS.has(k) || !(v === null || ['string', 'number', 'boolean'].includes(typeof v))) continue;
      if (!values.has(k)) values.set(k, new Set());
      values.get(k).add(v);
    }
  }
  return [...values].filter(([k, vs]) => [...vs].some((v) => v !== null) && (vs.size > 1 || trials.some((t) => !(k in t))))
    .map(([k]) => k).sort();
}

/** The last epoch a trial reached (epochs may restart per execution, or continue a parent's). @param {Trial} t */
export const lastEpoch = (t) => Math.max(0, ...(t.epochs ?? []).map((e) => e.epoch));

/** The epoch a trial trains to: its own target (hyperband, asha) or the search's. @param {Search | null} search @param {Trial} t */
export const targetEpochs = (search, t) => t.targetEpochs ?? search?.spec?.training?.epochs ?? null;

/**
 * A field value for display: another trial's id (parentTrialId) shows as that trial's number.
 * @param {unknown} v
 * @param {Map<string, Trial>} trialsById
 */
export function fmtField(v, trialsById) {
  const trial = typeof v === 'string' ? trialsById.get(v) : undefined;
  if (trial) return `#${trial.number}`;
  return typeof v === 'number' ? fmtNumber(v) : String(v ?? '');
}

/** Readable label for camelCase field names: parentTrialId → parent trial id. @param {string} key */
export const label = (key) => key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
