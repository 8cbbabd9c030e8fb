// Errors a retry cannot fix end the trial 'failed' with their text at once (no retry): NaN loss
// (TrainingError), out of memory (RangeError 'Array buffer allocation failed'), shape errors.
// The mapping lives in one place, trialOutcomeOf; here it is checked, and applied by the runner
// against a real database. Also: a checkpoint restores weights and optimizer state exactly.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainingError } from '../../src/domain/errors.js';
import type { TrainingEngine } from '../../src/domain/training-port.js';
import { trialOutcomeOf } from '../../src/domain/trial-state.js';
import { createLogger } from '../../src/logger.js';
import { TrialRunner } from '../../src/services/trial-runner.js';
import { buildModel } from '../../src/training/build-model.js';
import { encodeCheckpoint, restoreCheckpoint } from '../../src/training/checkpoint.js';
import { NOTEBOOK_MODEL, tinySearch } from '../fixtures/reference-search.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const OOM = new RangeError('Array buffer allocation failed');
const SHAPE = new Error('Error when checking target: expected dense_Dense1 to have shape [null,10], but got array with shape [16,1].');

describe('trialOutcomeOf', () => {
  it('does not retry NaN loss, out of memory or shape errors; retries unknown crashes', () => {
    expect(trialOutcomeOf(new TrainingError('training diverged: loss became NaN'))).toMatchObject({ status: 'failed', retry: false });
    expect(trialOutcomeOf(OOM)).toEqual({ status: 'failed', retry: false, message: 'out of memory: Array buffer allocation failed' });
    expect(trialOutcomeOf(new Error('Operands could not be broadcast together with shapes 3,4 and 5,6.'))).toMatchObject({ retry: false });
    expect(trialOutcomeOf(SHAPE)).toMatchObject({ status: 'failed', retry: false });
    expect(trialOutcomeOf(new RangeError('Maximum call stack size exceeded')).retry).toBe(true);
    expect(trialOutcomeOf(new Error('ECONNRESET')).retry).toBe(true);
  });
});

describe('the runner on errors retrying cannot help', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(async () => { await h?.close(); });

  for (const [what, err] of [['out of memory', OOM], ['a shape error', SHAPE]] as const) {
    it(`ends the trial failed on ${what}, without throwing (so the job is not retried)`, async () => {
      const engine: TrainingEngine = { backend: 'fake', train: async () => { throw err; }, predictionLatency: async () => 1 };
      const search = await h.core.searches.create(tinySearch({ budget: { maxTrials: 1, maxParallelTrials: 1 } }));
      const [trial] = await h.core.store.listTrials(search.id);
      const outcome = await new TrialRunner(h.core.store, engine, createLogger('silent', 'test')).run(trial.id);
      expect(outcome).toBe('failed');
      const after = await h.core.store.getTrial(trial.id);
      expect(after).toMatchObject({ status: 'failed', attempts: 1 });
      expect(after?.error).toContain(err.message);
    });
  }
});

describe('checkpoint', () => {
  it('restores model weights, optimizer slots and step count into a fresh model', async () => {
    await tf.setBackend('cpu');
    const small = { ...NOTEBOOK_MODEL, layers: [{ type: 'flatten' as const }, { type: 'dense' as const, units: 10, activation: 'softmax' as const }] };
    const a = buildModel(small, 1);
    const xs = tf.randomUniform([8, 28, 28, 1]);
    const ys = tf.tensor2d([0, 1, 2, 3, 4, 5, 6, 7], [8, 1]);
    await a.fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0 });
    const cp = await encodeCheckpoint(a, 2, null);
    const b = buildModel(small, 2);
    expect(await restoreCheckpoint(b, cp)).toBeNull();
    const same = async (x: tf.Tensor[], y: tf.Tensor[]) => {
      expect(x.length).toBe(y.length);
      for (let i = 0; i < x.length; i++) expect(Array.from(await y[i].data())).toEqual(Array.from(await x[i].data()));
    };
    await same(a.getWeights(), b.getWeights());
    await same((await a.optimizer.getWeights()).map((w) => w.tensor), (await b.optimizer.getWeights()).map((w) => w.tensor));
    // One more identical step on both: the same optimizer state gives the same weights.
    a.optimizer.minimize(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([1], 'int32'), 10), a.predict(xs.slice(0, 1)) as tf.Tensor) as tf.Scalar);
    b.optimizer.minimize(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([1], 'int32'), 10), b.predict(xs.slice(0, 1)) as tf.Tensor) as tf.Scalar);
    await same(a.getWeights(), b.getWeights());
  });
});
