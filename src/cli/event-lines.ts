// One line of text per search event: the non-TTY output of --watch, and the log lines above the
// progress bars. Metric fields are printed generically, so new per-epoch metrics appear as they come.
import { fmtAssignments, fmtDuration, fmtMetric, fmtValue, snake } from './format.js';

type Data = Record<string, unknown>;
const IDS = new Set(['searchId', 'trialId', 'number', 'epoch', 'durationMs', 'execution']);

export function startedLine(d: Data, hpOrder: string[]): string {
  const hps = d.hyperparameters && typeof d.hyperparameters === 'object' ? fmtAssignments(d.hyperparameters as Data, hpOrder) : '';
  return `trial ${fmtValue(d.number)} started${hps ? `: ${hps}` : ''}`;
}

/** The epoch's metrics (everything but ids), val_accuracy style. */
export function epochMetrics(d: Data): string {
  return Object.entries(d).filter(([k, v]) => !IDS.has(k) && typeof v === 'number').map(([k, v]) => `${snake(k)} ${fmtMetric(v)}`).join(', ');
}

export function epochLine(d: Data, total: number | undefined): string {
  const of = total !== undefined ? `/${total}` : '';
  const took = typeof d.durationMs === 'number' ? ` (${fmtDuration(d.durationMs)})` : '';
  // A trial trained several times (executionsPerTrial) repeats its epoch numbers, once per execution.
  const run = typeof d.execution === 'number' && d.execution > 0 ? ` (execution ${d.execution + 1})` : '';
  return `trial ${fmtValue(d.number)} epoch ${fmtValue(d.epoch)}${of}${run}: ${epochMetrics(d)}${took}`;
}

export function finishedLine(d: Data, metric = 'val_accuracy'): string {
  const parts: string[] = [];
  if (metric !== 'val_accuracy' && typeof d.value === 'number') parts.push(`${metric} ${fmtMetric(d.value)}`);
  if (typeof d.valAccuracy === 'number') parts.push(`val_accuracy ${fmtMetric(d.valAccuracy)}`);
  if (typeof d.epochs === 'number') parts.push(`${d.epochs} epoch${d.epochs === 1 ? '' : 's'}`);
  if (typeof d.modelId === 'string') parts.push(`model ${d.modelId}`);
  if (typeof d.error === 'string' && d.error) parts.push(d.error);
  return `trial ${fmtValue(d.number)} ${fmtValue(d.status)}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** The search's end: its status, trial counts, best trial and model (data of search.finished or GET /searches/:id). */
export function searchSummary(d: Data, metric = 'val_accuracy'): string {
  const counts = (d.trials && typeof d.trials === 'object' ? d.trials : {}) as Record<string, number>;
  const byStatus = Object.entries(counts).filter(([k, n]) => k !== 'total' && n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
  const id = fmtValue(d.searchId ?? d.id);
  let line = `search ${id} ${fmtValue(d.status)}: ${counts.total ?? 0} trial${counts.total === 1 ? '' : 's'}${byStatus ? ` (${byStatus})` : ''}`;
  const best = d.bestTrial as Data | null | undefined;
  if (best) {
    const score = best.value ?? best.valAccuracy;
    line += `; best trial ${fmtValue(best.number)}, ${metric} ${fmtMetric(score)}`;
  }
  if (typeof d.bestModelId === 'string') line += `, model ${d.bestModelId}`;
  if (typeof d.error === 'string' && d.error) line += `\n  ${d.error}`;
  return line;
}

/** An event this CLI does not know: shown as is. */
export const otherLine = (event: string, d: Data) => `${event}: ${JSON.stringify(d)}`;
