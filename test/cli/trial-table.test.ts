// The trial table shows what it knows in fixed places and anything new generically: a trial's
// objective `value`, `rung`, `parentTrialId` (as the parent's number), status `pruned`, and empty
// cells for conditional hyperparameters a trial does not use.
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/cli/render-table.js';
import { specInfo } from '../../src/cli/spec-info.js';
import { trialErrors, trialTable } from '../../src/cli/trial-table.js';
import type { TrialView } from '../../src/schemas/search-schemas.js';

const spec = specInfo({
  objective: { metric: 'val_loss', direction: 'min' },
  training: { epochs: 4 },
  budget: { maxTrials: 3 },
  hyperparameters: [
    { name: 'units', type: 'int', min: 16, max: 128 },
    { name: 'dropout', type: 'float', min: 0, max: 0.5 }, // conditional: only some trials have it
  ],
});

const epoch = (n: number) => ({ epoch: n, loss: 0.5, accuracy: 0.8, valLoss: 0.6, valAccuracy: 0.75, durationMs: 10 });
/** A trial as GET /searches/:id/trials sends it; the fields a test is about given. */
const trial = (t: Pick<TrialView, 'id' | 'number' | 'status' | 'hyperparameters'> & Partial<TrialView>): TrialView => ({
  valAccuracy: null, epochs: [], backend: null, modelId: null, error: null, attempts: 1,
  createdAt: '2026-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, ...t,
});

// As the service will send them: per-trial targets, continuations (initialEpoch), Hyperband fields.
const trials: TrialView[] = [
  trial({
    id: 'b', number: 2, status: 'pruned', hyperparameters: { units: 16 }, valAccuracy: 0.5, value: 1.25, targetEpochs: 4, initialEpoch: 2,
    epochs: [epoch(3)], rung: 1, parentTrialId: 'a', bracket: null, error: null,
  }),
  trial({
    id: 'a', number: 1, status: 'completed', hyperparameters: { units: 128, dropout: 0.25, optimizer: 'adam' }, valAccuracy: 0.875, value: 0.4,
    targetEpochs: 2, initialEpoch: 0, epochs: [epoch(1), epoch(2)], rung: 0, parentTrialId: null, bracket: null, error: null, backend: 'wasm',
  }),
  trial({
    id: 'c', number: 3, status: 'failed', hyperparameters: { units: 64, dropout: 0 }, valAccuracy: null, value: null, targetEpochs: 2, initialEpoch: 0,
    epochs: [], rung: 0, parentTrialId: null, bracket: null, error: 'loss is NaN',
  }),
];

describe('trialTable', () => {
  it('orders rows by number, columns by the spec, and shows new fields generically', () => {
    const table = trialTable(trials, spec);
    // bracket is null everywhere: no column for it.
    expect(table.headers).toEqual(['#', 'status', 'units', 'dropout', 'optimizer', 'val_loss', 'val_accuracy', 'epochs', 'rung', 'parent_trial_id']);
    expect(table.rows).toEqual([
      ['1', 'completed', '128', '0.25', 'adam', '0.4000', '0.8750', '2/2', '0', ''],
      ['2', 'pruned', '16', '', '', '1.2500', '0.5000', '3/4', '1', '#1'],
      ['3', 'failed', '64', '0', '', '', '', '0/2', '0', ''],
    ]);
    expect(trialErrors(trials)).toEqual(['trial 3 failed: loss is NaN']);
  });

  it('leaves out the objective column when it is only val_accuracy again', () => {
    const plain = specInfo({ hyperparameters: [{ name: 'units', type: 'int', min: 1, max: 2 }] });
    const t = [trial({ id: 'a', number: 1, status: 'running', hyperparameters: { units: 1 }, valAccuracy: 0.5, value: 0.5, epochs: [epoch(1)] })];
    expect(trialTable(t, plain)).toEqual({ headers: ['#', 'status', 'units', 'val_accuracy', 'epochs'], rows: [['1', 'running', '1', '0.5000', '1']] });
  });

  it('renders aligned columns, numbers to the right', () => {
    const text = renderTable(trialTable(trials, spec));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^#  status     units  dropout  optimizer  val_loss  val_accuracy  epochs  rung  parent_trial_id$/);
    expect(lines[1]).toMatch(/^-  -+  -+/);
    // Right-aligned numbers end where their header ends; text starts where its header starts.
    const end = (line: string, word: string) => line.indexOf(word) + word.length;
    expect(end(lines[3], '1.2500')).toBe(end(lines[0], 'val_loss'));
    expect(end(lines[3], '16')).toBe(end(lines[0], 'units'));
    expect(end(lines[2], '0.8750')).toBe(end(lines[0], 'val_accuracy'));
    expect(lines[3].indexOf('pruned')).toBe(lines[0].indexOf('status'));
    expect(lines[3].indexOf('#1')).toBe(lines[0].indexOf('parent_trial_id'));
  });
});
