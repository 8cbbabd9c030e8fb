// The trial runner on a real store (SQLite file) with real tfjs training on a few hundred
// Fashion-MNIST images: the objective picks the stored weights, a continuation (a promotion)
// starts from its parent's model, and a `latency_ms` objective times the kept model. The trial
// lifecycle is tested on a fake engine in trial-lifecycle.test.ts.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelArtifact } from '../../src/domain/model-artifact.js';
import type { TrainingEngine, TrainRequest } from '../../src/domain/training-port.js';
import { createLogger } from '../../src/logger.js';
import { TrialRunner } from '../../src/services/trial-runner.js';
import { trialView } from '../../src/services/views.js';
import { loadArtifact } from '../../src/training/artifact.js';
import { initBackend } from '../../src/training/backend.js';
import { BuiltinDatasets } from '../../src/datasets/builtin.js';
import { FASHION_MNIST_DIR, loadFashionMnist } from '../../src/datasets/fashion-mnist.js';
import { splitValidation } from '../../src/training/validation-split.js';
import { TfjsTrainingEngine } from '../../src/training/engine.js';
import { toTensors } from '../../src/training/inputs.js';
import { HPS, LIMIT, SPLIT, useTrialStore, wrapped } from './trial-fixture.js';

const db = useTrialStore();
const { newSearch, addTrial, trial, epochsOf } = db;
let engine: TrainingEngine;

beforeAll(async () => {
  await initBackend('wasm');
  engine = new TfjsTrainingEngine('wasm', new BuiltinDatasets(FASHION_MNIST_DIR));
});

const runner = (e: TrainingEngine = engine) => new TrialRunner(db.store, e, createLogger('silent', 'test'));

/** [loss, accuracy] of a stored model on the validation split the trials use. */
async function evaluate(modelId: string): Promise<[number, number]> {
  const model = await loadArtifact((await db.store.getModelArtifact(modelId))!);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const data = loadFashionMnist(FASHION_MNIST_DIR, 'train', LIMIT);
  const { trainCount, valCount } = splitValidation(LIMIT, SPLIT);
  const { xs, ys } = toTensors(data, trainCount, valCount);
  const out = model.evaluate(xs, ys, { batchSize: 32 }) as tf.Scalar[];
  const values = await Promise.all(out.map(async (s) => (await s.data())[0]));
  tf.dispose([xs, ys, ...out]);
  model.dispose();
  return [values[0], values[1]];
}

describe('trial runner, training for real', () => {
  it('picks the best epoch by the objective (val_loss, min) and continues a promoted trial from its parent\'s model', async () => {
    const search = await newSearch({ objective: { metric: 'val_loss' }, training: { epochs: 3, batchSize: 32, validationSplit: SPLIT } });
    const parentId = await addTrial(search.id);
    expect(await runner().run(parentId)).toBe('completed');
    const parent = await trial(parentId);
    const epochs = await epochsOf(parentId);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    const best = epochs.reduce((b, e) => (e.valLoss < b.valLoss ? e : b));
    expect(parent.value).toBe(best.valLoss);
    expect(parent.valAccuracy).toBe(best.valAccuracy);
    const model = (await db.store.getModel(parent.modelId!))!;
    expect(model.summary.metrics).toMatchObject({ bestEpoch: best.epoch, valAccuracy: best.valAccuracy, epochs: 3 });
    expect(model.parentModelId).toBeNull();
    expect((await evaluate(parent.modelId!))[0]).toBeCloseTo(best.valLoss, 4); // the stored weights are that epoch's

    // A promotion trains epoch 4 only, from the parent's model. With a learning rate too small to
    // move any weight, its epoch-4 validation loss is the parent model's (a fresh model's is ~2.3).
    const requests: TrainRequest[] = [];
    const childId = await addTrial(search.id, {
      parentTrialId: parentId, initialEpoch: 3, targetEpochs: 4, rung: 1, bracket: 0,
      hyperparameters: { ...HPS, learning_rate: 1e-9 },
    });
    expect(await runner(wrapped(engine, (req) => { requests.push(req); return req; })).run(childId)).toBe('completed');
    expect(requests).toHaveLength(1);
    expect(requests[0].initialEpoch).toBe(3);
    expect(Buffer.from(requests[0].initialWeights!.weightData).equals(Buffer.from((await db.store.getModelArtifact(parent.modelId!))!.weightData))).toBe(true);
    const childEpochs = await epochsOf(childId);
    expect(childEpochs.map((e) => [e.execution, e.epoch])).toEqual([[0, 4]]);
    expect(childEpochs[0].valLoss).toBeCloseTo(best.valLoss, 4);
    const child = await trial(childId);
    expect(child).toMatchObject({ status: 'completed', value: childEpochs[0].valLoss });
    expect((await db.store.getModel(child.modelId!))!.parentModelId).toBeNull(); // lineage is for retrains

    const view = trialView((await db.store.listTrialsWithEpochs(search.id)).find((t) => t.id === childId)!, search.spec);
    expect(view).toMatchObject({ value: child.value, targetEpochs: 4, initialEpoch: 3, parentTrialId: parentId, rung: 1, bracket: 0, source: 'oracle' });
    expect(view.epochs).toEqual([expect.objectContaining({ execution: 0, epoch: 4 })]);
    expect(view).not.toHaveProperty('meanEpochs');
    expect(trialView((await db.store.listTrialsWithEpochs(search.id))[0], search.spec).targetEpochs).toBe(3); // the search's
  }, 60_000);
});

describe('a latency_ms objective', () => {
  /** The real engine, recording what predictionLatency is asked; `fail`: the measurement throws instead. */
  const measuring = (fail = false) => {
    const asked: { artifact: ModelArtifact; inputShape: number[] }[] = [];
    const e: TrainingEngine = {
      backend: engine.backend, train: (req) => engine.train(req),
      predictionLatency: async (artifact, inputShape) => {
        asked.push({ artifact, inputShape });
        if (fail) throw new Error('backend lost');
        return engine.predictionLatency(artifact, inputShape);
      },
    };
    return { e, asked };
  };
  const timed = { objectives: [{ name: 'val_accuracy' as const }, { name: 'latency_ms' as const }], training: { epochs: 1, batchSize: 32, validationSplit: SPLIT } };

  it("times the trial's kept model (the best execution's) once, and stores the positive median with its completion", async () => {
    const search = await newSearch({ ...timed, training: { ...timed.training, executionsPerTrial: 2 } });
    const id = await addTrial(search.id);
    const { e, asked } = measuring();
    expect(await runner(e).run(id)).toBe('completed');
    const done = await trial(id);
    expect(done.latencyMs).toBeGreaterThan(0);
    expect(Number.isFinite(done.latencyMs)).toBe(true);
    expect(asked).toHaveLength(1);
    expect(asked[0].inputShape).toEqual([28, 28, 1]);
    const kept = (await db.store.getModelArtifact(done.modelId!))!;
    expect(Buffer.from(asked[0].artifact.weightData).equals(Buffer.from(kept.weightData))).toBe(true);
    const view = trialView((await db.store.listTrialsWithEpochs(search.id)).find((t) => t.id === id)!, search.spec);
    expect(view.objectiveValues).toEqual({ val_accuracy: done.valAccuracy, latency_ms: done.latencyMs });
  }, 60_000);

  it('is not measured for a search without it', async () => {
    const search = await newSearch({ ...timed, objectives: [{ name: 'val_accuracy' }, { name: 'params' }] });
    const id = await addTrial(search.id);
    const { e, asked } = measuring();
    expect(await runner(e).run(id)).toBe('completed');
    expect(asked).toEqual([]);
    expect((await trial(id)).latencyMs).toBeNull();
  }, 60_000);

  it('that fails leaves the trial completed without a latency, so without objective values', async () => {
    const search = await newSearch(timed);
    const id = await addTrial(search.id);
    const { e, asked } = measuring(true);
    expect(await runner(e).run(id)).toBe('completed');
    expect(asked).toHaveLength(1);
    const done = await trial(id);
    expect(done).toMatchObject({ status: 'completed', latencyMs: null });
    expect(done.modelId).not.toBeNull();
    const view = trialView((await db.store.listTrialsWithEpochs(search.id)).find((t) => t.id === id)!, search.spec);
    expect(view).not.toHaveProperty('objectiveValues');
  }, 60_000);
});
