// Plain-text tables: a header, a rule, and rows, columns padded to their widest cell. Columns whose
// cells are all numbers are right-aligned.
import { printable } from './format.js';

export interface Table {
  headers: string[];
  rows: string[][];
}

const NUMERIC = /^-?(\d+(\.\d+)?(e[-+]?\d+)?|\d+\/\d+)$/i;

export function columnAligns(table: Table): ('left' | 'right')[] {
  return table.headers.map((_, i) => {
    const cells = table.rows.map((r) => r[i] ?? '').filter((c) => c !== '');
    return cells.length > 0 && cells.every((c) => NUMERIC.test(c)) ? 'right' : 'left';
  });
}

export function renderTable(raw: Table): string {
  const table = { headers: raw.headers.map(printable), rows: raw.rows.map((r) => r.map(printable)) };
  const widths = table.headers.map((h, i) => Math.max(h.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const aligns = columnAligns(table);
  const lines = [
    formatRow(table.headers, widths, aligns),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...table.rows.map((r) => formatRow(r, widths, aligns)),
  ];
  return `${lines.join('\n')}\n`;
}

/** One row at given widths (a cell wider than its column pushes the rest right rather than being cut). */
export function formatRow(cells: string[], widths: number[], aligns: ('left' | 'right')[] = []): string {
  return widths
    .map((w, i) => (aligns[i] === 'right' ? (cells[i] ?? '').padStart(w) : (cells[i] ?? '').padEnd(w)))
    .join('  ')
    .trimEnd();
}
