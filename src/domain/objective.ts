// Reading the objective off recorded epochs: which metric, which direction, and how executions
// of one trial combine (Keras Tuner averages them).
import type { ObjectiveMetric } from './algorithms.js';
import type { EpochMetrics } from './training-port.js';

const FIELD: Record<ObjectiveMetric, keyof EpochMetrics> = { val_accuracy: 'valAccuracy', val_loss: 'valLoss', accuracy: 'accuracy', loss: 'loss' };

export const metricValue = (epoch: EpochMetrics, metric: ObjectiveMetric): number => epoch[FIELD[metric]];

/** True when a is strictly better than b; NaN is worse than any number. */
export function isBetter(a: number, b: number, direction: 'max' | 'min'): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return direction === 'max' ? a > b : a < b;
}

/** The best epoch by the objective (the earlier on a tie), or null for no epochs. */
export function bestEpoch<E extends EpochMetrics>(epochs: E[], metric: ObjectiveMetric, direction: 'max' | 'min'): E | null {
  let best: E | null = null;
  for (const e of epochs) if (!best || isBetter(metricValue(e, metric), metricValue(best, metric), direction)) best = e;
  return best;
}

/**
 * One series from several executions' epochs (each tagged with its execution): per epoch number, the
 * mean of every execution that reached it. One execution passes through unchanged.
 */
export function meanEpochs<E extends EpochMetrics & { execution?: number }>(epochs: E[]): EpochMetrics[] {
  const byEpoch = new Map<number, E[]>();
  for (const e of epochs) byEpoch.set(e.epoch, [...(byEpoch.get(e.epoch) ?? []), e]);
  const mean = (rows: E[], key: keyof EpochMetrics) => rows.reduce((s, r) => s + r[key], 0) / rows.length;
  return [...byEpoch.entries()].sort(([a], [b]) => a - b).map(([epoch, rows]) => ({
    epoch, loss: mean(rows, 'loss'), accuracy: mean(rows, 'accuracy'), valLoss: mean(rows, 'valLoss'),
    valAccuracy: mean(rows, 'valAccuracy'), durationMs: Math.round(mean(rows, 'durationMs')),
  }));
}
