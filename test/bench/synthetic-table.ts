// Small learning-curve tables whose answers the tests know: a dense net whose units, learning
// rate and (conditionally) second layer are the hyperparameters, and a curve given by the test.
import { Grid, type HpValues } from '../../src/domain/hyperparameters.js';
import { TABLE_FORMAT, type CurveTable, type TableEpoch } from '../../bench/curve-table.js';

/** val_accuracy of a configuration at `epoch` (from 1). */
export type Curve = (hp: HpValues, epoch: number) => number;

/** 2 x 3 x (1 + 2) = 18 configurations: units, learning rate, and a second layer's units when there is one. */
export const SYNTHETIC_SPACE: CurveTable['space'] = {
  hyperparameters: [
    { name: 'layers', type: 'choice', values: [1, 2] },
    { name: 'units', type: 'int', min: 8, max: 24, step: 8 },
    { name: 'units_2', type: 'choice', values: [4, 8], when: { hp: 'layers', in: [2] } },
    { name: 'learning_rate', type: 'choice', values: [0.01, 0.001] },
  ],
  model: {
    inputShape: [28, 28, 1],
    layers: [
      { type: 'flatten' },
      { type: 'dense', units: { hp: 'units' }, activation: 'relu' },
      { type: 'dense', units: { hp: 'units_2' }, activation: 'relu', when: { hp: 'layers', in: [2] } },
      { type: 'dense', units: 10, activation: 'softmax' },
    ],
    optimizer: { type: 'adam', learningRate: { hp: 'learning_rate' } },
    loss: 'sparseCategoricalCrossentropy',
  },
};

/** A table of SYNTHETIC_SPACE with `epochs` epochs per row, val_accuracy from `curve`. */
export function syntheticTable(curve: Curve, epochs = 9): CurveTable {
  const grid = new Grid(SYNTHETIC_SPACE.hyperparameters);
  const rows = Array.from({ length: grid.size }, (_, i) => {
    const hyperparameters = grid.combo(i);
    const row: TableEpoch[] = Array.from({ length: epochs }, (_, e) => {
      const acc = curve(hyperparameters, e + 1);
      return [1 - acc, acc, 1 - acc, acc, 10];
    });
    return { hyperparameters, epochs: row };
  });
  return {
    format: TABLE_FORMAT, command: 'test', about: {}, seed: 1, space: SYNTHETIC_SPACE, rows,
    dataset: { id: 'fashion-mnist', limit: 100 }, training: { epochs, batchSize: 32, validationSplit: 0.1 },
  };
}

/** Better with more units, a lower learning rate, a second layer, and each epoch. */
export const smoothCurve: Curve = (hp, epoch) =>
  0.5 + (hp.units as number) / 100 + (hp.learning_rate === 0.001 ? 0.05 : 0) + (hp.layers === 2 ? (hp.units_2 as number) / 200 : 0) + epoch / 100;
