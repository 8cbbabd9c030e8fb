import { describe, expect, it } from 'vitest';
import type { ModelArtifact } from '../../src/domain/model-artifact.js';
import type { EpochMetrics } from '../../src/domain/training-port.js';
import { TrialExecutions, type ExecutionBest } from '../../src/domain/trial-executions.js';

const epoch = (n: number, valAccuracy: number, valLoss = 1 - valAccuracy): EpochMetrics =>
  ({ epoch: n, loss: valLoss, accuracy: valAccuracy, valLoss, valAccuracy, durationMs: 10 });
const execution = (n: number, valAccuracy: number, lastEpoch = 2, valLoss?: number): ExecutionBest =>
  ({ execution: n, best: epoch(1, valAccuracy, valLoss), lastEpoch });
const artifact = (tag: number): ModelArtifact => ({ modelTopology: { tag }, weightSpecs: [], weightData: new Uint8Array([tag]) });
type Objective = Parameters<typeof TrialExecutions.resumed>[0];
const maxAccuracy: Objective = { metric: 'val_accuracy', direction: 'max' };
const fresh = (objective = maxAccuracy) => TrialExecutions.resumed(objective, [], 0);

describe('TrialExecutions', () => {
  it('averages the executions\' best values; the best execution is the model', () => {
    const x = fresh();
    expect(x.add(execution(0, 0.6), artifact(0))).toBe(true);
    expect(x.add(execution(1, 0.8), artifact(1))).toBe(true);
    expect(x.add(execution(2, 0.7), artifact(2))).toBe(false);
    expect(x.count).toBe(3);
    expect(x.means().value).toBeCloseTo(0.7, 12);
    expect(x.means().valAccuracy).toBeCloseTo(0.7, 12);
    expect(x.best().execution).toBe(1);
    expect(x.bestArtifact()).toEqual(artifact(1));
  });

  it('keeps the earlier execution on a tie', () => {
    const x = fresh();
    x.add(execution(0, 0.5), artifact(0));
    expect(x.add(execution(1, 0.5), artifact(1))).toBe(false);
    expect(x.best().execution).toBe(0);
    expect(x.bestArtifact()).toEqual(artifact(0));
  });

  it('follows the objective: val_loss, min; valAccuracy is still averaged', () => {
    const x = fresh({ metric: 'val_loss', direction: 'min' });
    x.add(execution(0, 0.9, 2, 0.4), artifact(0));
    x.add(execution(1, 0.7, 2, 0.2), artifact(1));
    expect(x.best().execution).toBe(1);
    expect(x.means().value).toBeCloseTo(0.3, 12);
    expect(x.means().valAccuracy).toBeCloseTo(0.8, 12);
  });

  it('a NaN is worse than any number, and a mean that is not finite is null', () => {
    const x = fresh();
    x.add(execution(0, Number.NaN), artifact(0));
    expect(x.means()).toEqual({ value: null, valAccuracy: null });
    expect(x.add(execution(1, 0.1), artifact(1))).toBe(true);
    expect(x.best().execution).toBe(1);
  });

  it('resumes the executions an earlier run finished from their epochs; their model is not held here', () => {
    const rows = [
      { ...epoch(1, 0.5), execution: 0 }, { ...epoch(2, 0.9), execution: 0 }, { ...epoch(3, 0.8), execution: 0 },
      { ...epoch(1, 0.6), execution: 1 }, { ...epoch(2, 0.7), execution: 1 },
      { ...epoch(1, 0.99), execution: 2 }, // the execution being resumed: not finished
    ];
    const x = TrialExecutions.resumed(maxAccuracy, rows, 2);
    expect(x.count).toBe(2);
    expect(x.best()).toEqual({ execution: 0, best: epoch(2, 0.9), lastEpoch: 3 });
    expect(x.bestArtifact()).toBeNull(); // an earlier run stored it
    expect(x.add(execution(2, 0.8, 3), artifact(2))).toBe(false);
    expect(x.bestArtifact()).toBeNull();
    expect(x.means().value).toBeCloseTo((0.9 + 0.7 + 0.8) / 3, 12);
    expect(x.add(execution(3, 0.95, 3), artifact(3))).toBe(true);
    expect(x.bestArtifact()).toEqual(artifact(3));
  });

  it('lastEpoch: the furthest any execution trained', () => {
    const x = fresh();
    x.add(execution(0, 0.5, 3), artifact(0));
    x.add(execution(1, 0.6, 1), artifact(1));
    expect(x.lastEpoch()).toBe(3);
  });
});
