// A search's trials as a table: number, status, one column per hyperparameter (empty where a
// conditional one is absent), the objective, epochs, then any scalar field this CLI does not know
// (a trial's `rung`, `parentTrialId`...) under its snake_case name, so new service fields show up.
import type { TrialView } from '../schemas/search-schemas.js';
import { fmtMetric, fmtValue, snake } from './format.js';
import type { Table } from './render-table.js';
import type { SpecInfo } from './spec-info.js';

/** Fields shown in their own columns, or only in --json (ids, timestamps, per-epoch arrays). */
const SHOWN_OR_HIDDEN = new Set([
  'id', 'number', 'status', 'hyperparameters', 'valAccuracy', 'value', 'epochs', 'error', 'backend',
  'modelId', 'attempts', 'createdAt', 'startedAt', 'finishedAt', 'heartbeatAt', 'searchId', 'targetEpochs', 'initialEpoch',
]);

const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/**
 * Epochs reached, over the trial's target where the API gives one (`2/4`). The last epoch's number,
 * not the row count: a continued trial starts after its parent's epochs, and repeated executions
 * of a trial store the same epoch numbers again.
 */
export function epochCount(t: TrialView): string {
  const done = t.epochs.length ? Math.max(...t.epochs.map((e) => e.epoch)) : t.initialEpoch ?? 0;
  return typeof t.targetEpochs === 'number' ? `${done}/${t.targetEpochs}` : String(done);
}

/** The objective's own column, when the trials carry a `value` that is not simply val_accuracy. */
function valueHeader(trials: TrialView[], spec: SpecInfo): string | undefined {
  const has = trials.some((t) => Object.hasOwn(t, 'value') && t.value !== null && t.value !== t.valAccuracy);
  if (!has) return undefined;
  return spec.metric !== 'val_accuracy' ? spec.metric : 'value';
}

export function trialTable(trials: TrialView[], spec: SpecInfo): Table {
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  const seen = new Set<string>(spec.hpNames);
  const hpNames = [...spec.hpNames];
  for (const t of sorted) for (const k of Object.keys(t.hyperparameters)) if (!seen.has(k)) { seen.add(k); hpNames.push(k); }
  const extras: string[] = [];
  // Unknown scalar fields get a column, unless no trial has a value for it (parentTrialId of a random search).
  for (const t of sorted) for (const [k, v] of Object.entries(t)) if (!SHOWN_OR_HIDDEN.has(k) && isScalar(v) && v !== null && v !== '' && !extras.includes(k)) extras.push(k);
  const numberOf = new Map(sorted.map((t) => [t.id, t.number]));
  // An id of another trial (parentTrialId) reads better as its number.
  const cell = (v: unknown) => (typeof v === 'string' && numberOf.has(v) ? `#${numberOf.get(v)}` : fmtValue(v));
  const value = valueHeader(sorted, spec);

  const headers = ['#', 'status', ...hpNames, ...(value ? [value] : []), 'val_accuracy', 'epochs', ...extras.map(snake)];
  const rows = sorted.map((t) => {
    const fields: Record<string, unknown> = t; // extras are named at run time
    return [
      String(t.number), t.status,
      ...hpNames.map((k) => fmtValue(t.hyperparameters[k])),
      ...(value ? [fmtMetric(t.value)] : []),
      fmtMetric(t.valAccuracy), epochCount(t),
      ...extras.map((k) => cell(fields[k])),
    ];
  });
  return { headers, rows };
}

/** Lines under the table for trials that ended with an error. */
export function trialErrors(trials: TrialView[]): string[] {
  return [...trials].sort((a, b) => a.number - b.number)
    .filter((t) => typeof t.error === 'string' && t.error !== '')
    .map((t) => `trial ${t.number} ${t.status}: ${t.error}`);
}
