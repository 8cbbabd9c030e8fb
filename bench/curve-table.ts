// A learning-curve table: every configuration of a discrete search space trained once, seeded,
// to the table's maxEpochs, with each epoch's metrics. The replay benchmark (search-replay.ts)
// looks configurations up in it instead of training, so algorithms can be compared over many
// seeds in minutes. Rows are keyed by the concrete model they resolve to (what a TrainingEngine
// is asked to train), and the table's space must be exactly its rows: every proposal is a row.
import { gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { comboKey, Grid, type HpValues } from '../src/domain/hyperparameters.js';
import { resolveTemplate, type ConcreteModel } from '../src/domain/model-template.js';
import type { SearchRequest } from '../src/domain/search-spec.js';

export const TABLE_FORMAT = 'hypertune-curve-table/1';

/** One trained epoch: loss, accuracy, val loss, val accuracy, milliseconds (arrays keep the file small). */
export type TableEpoch = [loss: number, accuracy: number, valLoss: number, valAccuracy: number, durationMs: number];

export interface TableRow {
  hyperparameters: HpValues; epochs: TableEpoch[];
  /** The training threads it was built on (rows built before this was recorded: absent). */
  threads?: number;
}

export interface CurveTable {
  format: typeof TABLE_FORMAT;
  /** The command that rebuilt it, and how (backend, machine, when), for the record. */
  command: string;
  about: Record<string, unknown>;
  /** What every row was trained on; a replayed search must ask for the same. */
  dataset: SearchRequest['dataset'];
  training: { epochs: number; batchSize: number; validationSplit: number };
  /** The search seed each row's trial seed was derived from (trialSeed(seed, hyperparameters)). */
  seed: number;
  space: Pick<SearchRequest, 'hyperparameters' | 'model'>;
  rows: TableRow[];
}

/** Stable across key order: the key a concrete model is looked up by. */
export function modelKey(model: ConcreteModel): string {
  return JSON.stringify(model, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v);
}

/** Every configuration of the space, in grid order: what a table of it must hold. */
export function gridOf(space: CurveTable['space']): HpValues[] {
  const grid = new Grid(space.hyperparameters);
  return Array.from({ length: grid.size }, (_, i) => grid.combo(i));
}

/**
 * Checks a table is whole: its rows are exactly its space's grid (no missing, extra or repeated
 * configuration) and each has maxEpochs epochs. Returns the rows by model key.
 */
export function indexTable(table: CurveTable): Map<string, TableRow> {
  if (table.format !== TABLE_FORMAT) throw new Error(`not a curve table: format '${table.format}', expected '${TABLE_FORMAT}'`);
  const byCombo = new Map(table.rows.map((r) => [comboKey(r.hyperparameters), r]));
  if (byCombo.size !== table.rows.length) throw new Error('the table repeats a configuration');
  const grid = gridOf(table.space);
  const missing = grid.filter((hp) => !byCombo.has(comboKey(hp)));
  if (missing.length) throw new Error(`the table lacks ${missing.length} configurations of its space, e.g. ${comboKey(missing[0])}`);
  if (grid.length !== table.rows.length) throw new Error(`the table has ${table.rows.length - grid.length} rows outside its space`);
  const index = new Map<string, TableRow>();
  for (const row of table.rows) {
    if (row.epochs.length !== table.training.epochs)
      throw new Error(`row ${comboKey(row.hyperparameters)} has ${row.epochs.length} epochs, not the table's ${table.training.epochs}`);
    const key = modelKey(resolveTemplate(table.space.model, row.hyperparameters));
    if (index.has(key)) throw new Error(`two configurations build the same model: ${key}`);
    index.set(key, row);
  }
  return index;
}

export function readTable(file: string): CurveTable {
  const bytes = readFileSync(file);
  const text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return JSON.parse(text) as CurveTable;
}

export function writeTable(file: string, table: CurveTable): void {
  const text = JSON.stringify(table);
  writeFileSync(file, file.endsWith('.gz') ? gzipSync(text, { level: 9 }) : text);
}
