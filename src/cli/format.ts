// How values look in the CLI's tables and lines.

/**
 * Text from the API (names, string hyperparameters, error messages) with control characters shown
 * as \xNN: a name holding an escape sequence must not move the cursor or recolour the terminal.
 */
export const printable = (s: string): string =>
  s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** A metric (accuracy, loss): fixed 4 decimals so a column lines up. */
export function fmtMetric(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : fmtValue(v);
}

/** Any value: hyperparameters, counts, ids. Absent (a conditional hyperparameter) is empty. */
export function fmtValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === 'string') return printable(v);
  if (typeof v === 'boolean') return String(v);
  return printable(JSON.stringify(v));
}

/** valAccuracy → val_accuracy: the notation of the objective metric in specs. */
export const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function fmtDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `a=1, b=x` of a hyperparameter map, in the given order first. */
export function fmtAssignments(values: Record<string, unknown>, order: string[] = []): string {
  const keys = [...order.filter((k) => Object.hasOwn(values, k)), ...Object.keys(values).filter((k) => !order.includes(k))];
  return keys.map((k) => `${k}=${fmtValue(values[k])}`).join(', ');
}
