// The trial runner on a real store (SQLite file) with real tfjs training on a few hundred
// Fashion-MNIST images: epoch ranges and parent weights of continuations, the objective, executions
// and their crash recovery, median early stopping, and retrains of a finished search.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HpValues } from '../../src/domain/hyperparameters.js';
import { normalizeSpec, type SearchRequest } from '../../src/domain/search-spec.js';
import type { TrainingEngine, TrainRequest } from '../../src/domain/training-port.js';
import { createLogger } from '../../src/logger.js';
import { TrialRunner } from '../../src/services/trial-runner.js';
import { trialView } from '../../src/services/views.js';
import type { NewTrial, TrialRecord } from '../../src/ports/search-store.js';
import { migrate } from '../../src/store/migrate.js';
import { openPrismaStore, type PrismaStore } from '../../src/store/prisma-store.js';
import { loadArtifact } from '../../src/training/artifact.js';
import { initBackend } from '../../src/training/backend.js';
import { FASHION_MNIST_DIR, loadFashionMnist, splitValidation } from '../../src/training/dataset.js';
import { TfjsTrainingEngine } from '../../src/training/engine.js';
import { toTensors } from '../../src/training/train.js';

const LIMIT = 300;
const SPLIT = 0.2;
const HPS: HpValues = { units: 16, learning_rate: 0.003 };

let dir: string;
let store: PrismaStore;
let engine: TrainingEngine;
let searches = 0;

beforeAll(async () => {
  await initBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'hypertune-runner-'));
  const url = `file:${join(dir, 'db.sqlite')}`;
  await migrate(url);
  store = await openPrismaStore(url);
  engine = new TfjsTrainingEngine('wasm', FASHION_MNIST_DIR);
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A search of a tiny dense model on LIMIT images, stored as the service would store it. */
async function newSearch(req: Partial<SearchRequest> = {}) {
  const id = `s${++searches}`;
  const spec = normalizeSpec({
    name: id, dataset: { id: 'fashion-mnist', limit: LIMIT },
    training: { epochs: 2, batchSize: 32, validationSplit: SPLIT },
    hyperparameters: [{ name: 'units', type: 'int', min: 8, max: 16, step: 8 }, { name: 'learning_rate', type: 'choice', values: [0.003] }],
    model: {
      inputShape: [28, 28, 1],
      layers: [{ type: 'flatten' }, { type: 'dense', units: { hp: 'units' }, activation: 'relu' }, { type: 'dense', units: 10, activation: 'softmax' }],
      optimizer: { type: 'adam', learningRate: { hp: 'learning_rate' } },
      loss: 'sparseCategoricalCrossentropy',
    },
    ...req,
  }, () => 7);
  return store.createSearch({ id, name: id, spec });
}

async function addTrial(searchId: string, fields: Partial<NewTrial> = {}): Promise<string> {
  const search = (await store.getSearch(searchId))!;
  const id = randomUUID();
  const number = (await store.listTrials(searchId)).length + 1;
  expect(await store.commitSchedule(searchId, search.version, {}, [{ id, number, hyperparameters: HPS, ...fields }])).toBe(true);
  return id;
}

const runner = (e: TrainingEngine = engine) => new TrialRunner(store, e, createLogger('silent', 'test'));
const trial = async (id: string): Promise<TrialRecord> => (await store.getTrial(id))!;
const epochsOf = async (id: string) => (await store.listEpochs(id)).map(({ execution, epoch, valLoss, valAccuracy }) => ({ execution: execution ?? 0, epoch, valLoss, valAccuracy }));

/** An engine that hands every request to `wrap` (to record it or to change its callbacks) before the real one trains. */
function wrapped(wrap: (req: TrainRequest, call: number) => TrainRequest): TrainingEngine {
  let calls = 0;
  return { backend: 'wasm', train: (req) => engine.train(wrap(req, calls++)) };
}

/** [loss, accuracy] of a stored model on the validation split the trials use. */
async function evaluate(modelId: string): Promise<[number, number]> {
  const model = await loadArtifact((await store.getModelArtifact(modelId))!);
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

describe('trial runner', () => {
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
    const model = (await store.getModel(parent.modelId!))!;
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
    expect(await runner(wrapped((req) => { requests.push(req); return req; })).run(childId)).toBe('completed');
    expect(requests).toHaveLength(1);
    expect(requests[0].initialEpoch).toBe(3);
    expect(Buffer.from(requests[0].initialWeights!.weightData).equals(Buffer.from((await store.getModelArtifact(parent.modelId!))!.weightData))).toBe(true);
    const childEpochs = await epochsOf(childId);
    expect(childEpochs.map((e) => [e.execution, e.epoch])).toEqual([[0, 4]]);
    expect(childEpochs[0].valLoss).toBeCloseTo(best.valLoss, 4);
    const child = await trial(childId);
    expect(child).toMatchObject({ status: 'completed', value: childEpochs[0].valLoss });
    expect((await store.getModel(child.modelId!))!.parentModelId).toBeNull(); // lineage is for retrains

    const view = trialView((await store.listTrialsWithEpochs(search.id)).find((t) => t.id === childId)!, search.spec);
    expect(view).toMatchObject({ value: child.value, targetEpochs: 4, initialEpoch: 3, parentTrialId: parentId, rung: 1, bracket: 0, source: 'oracle' });
    expect(view.epochs).toEqual([expect.objectContaining({ execution: 0, epoch: 4 })]);
    expect(view).not.toHaveProperty('meanEpochs');
    expect(trialView((await store.listTrialsWithEpochs(search.id))[0], search.spec).targetEpochs).toBe(3); // the search's
  }, 60_000);

  it('trains executionsPerTrial times from fresh weights; value is the mean of their bests, the model the best one\'s', async () => {
    const search = await newSearch({ training: { epochs: 2, batchSize: 32, validationSplit: SPLIT, executionsPerTrial: 2 } });
    const id = await addTrial(search.id);
    const starts: (TrainRequest['resume'] | undefined)[] = [];
    expect(await runner(wrapped((req) => { starts.push(req.resume); return req; })).run(id)).toBe('completed');
    expect(starts).toEqual([undefined, undefined]);
    const epochs = await epochsOf(id);
    expect(epochs.map((e) => [e.execution, e.epoch])).toEqual([[0, 1], [0, 2], [1, 1], [1, 2]]);
    const bests = [0, 1].map((x) => Math.max(...epochs.filter((e) => e.execution === x).map((e) => e.valAccuracy)));
    const t = await trial(id);
    expect(t.value).toBeCloseTo((bests[0] + bests[1]) / 2, 10);
    expect(t.valAccuracy).toBeCloseTo((bests[0] + bests[1]) / 2, 10);
    expect((await store.getModel(t.modelId!))!.summary.metrics.valAccuracy).toBe(Math.max(...bests));
    expect((await evaluate(t.modelId!))[1]).toBeCloseTo(Math.max(...bests), 4);
    expect(await store.getCheckpoint(id)).toBeNull();
    const view = trialView((await store.listTrialsWithEpochs(search.id))[0], search.spec);
    expect(view.epochs.map((e) => e.execution)).toEqual([0, 0, 1, 1]);
    expect(view.meanEpochs?.map((e) => e.valAccuracy)).toEqual([1, 2].map((n) => (epochs[n - 1].valAccuracy + epochs[n + 1].valAccuracy) / 2));
  }, 60_000);

  it('resumes a crashed second execution from its checkpoint without running the first again', async () => {
    const search = await newSearch({ training: { epochs: 3, batchSize: 32, validationSplit: SPLIT, executionsPerTrial: 2 } });
    const id = await addTrial(search.id);
    // The process dies after epoch 2 of execution 1 is recorded and checkpointed.
    const crashing = wrapped((req, call) => (call === 0 ? req : {
      ...req,
      onEpochEnd: async (m, checkpoint) => {
        const decision = await req.onEpochEnd(m, checkpoint);
        if (m.epoch === 2) throw new Error('worker lost');
        return decision;
      },
    }));
    await expect(runner(crashing).run(id)).rejects.toThrow('worker lost');
    expect(await trial(id)).toMatchObject({ status: 'running', attempts: 1 });
    expect(await store.getCheckpoint(id)).toMatchObject({ execution: 1, epoch: 2 });
    const first = (await epochsOf(id)).filter((e) => e.execution === 0);
    expect(first.map((e) => e.epoch)).toEqual([1, 2, 3]);

    const requests: TrainRequest[] = [];
    const trained: number[] = [];
    const retry = wrapped((req) => {
      requests.push(req);
      return { ...req, onEpochEnd: (m, c) => { trained.push(m.epoch); return req.onEpochEnd(m, c); } };
    });
    expect(await runner(retry).run(id)).toBe('completed');
    expect(requests).toHaveLength(1); // execution 1 only
    expect(requests[0].resume?.checkpoint.epoch).toBe(2);
    expect(trained).toEqual([3]);
    const epochs = await epochsOf(id);
    expect(epochs.filter((e) => e.execution === 0)).toEqual(first);
    expect(epochs.map((e) => [e.execution, e.epoch])).toEqual([[0, 1], [0, 2], [0, 3], [1, 1], [1, 2], [1, 3]]);
    const bests = [0, 1].map((x) => Math.max(...epochs.filter((e) => e.execution === x).map((e) => e.valAccuracy)));
    expect(await trial(id)).toMatchObject({ status: 'completed', attempts: 2, value: (bests[0] + bests[1]) / 2 });
  }, 60_000);

  it('prunes a bad trial against the median of completed ones, keeping its metrics and model', async () => {
    const search = await newSearch({ earlyStopping: { name: 'median', startEpoch: 1, minTrials: 2 } });
    for (let i = 0; i < 2; i++) expect(await runner().run(await addTrial(search.id))).toBe('completed'); // too few others to prune
    // A learning rate too small to learn anything: chance accuracy after epoch 1.
    const badId = await addTrial(search.id, { hyperparameters: { ...HPS, learning_rate: 1e-7 } });
    expect(await runner().run(badId)).toBe('pruned');
    const bad = await trial(badId);
    const epochs = await epochsOf(badId);
    expect(epochs.map((e) => e.epoch)).toEqual([1]); // stopped at once
    expect(bad).toMatchObject({ status: 'pruned', value: epochs[0].valAccuracy, valAccuracy: epochs[0].valAccuracy, error: null });
    expect(bad.finishedAt).not.toBeNull();
    expect(bad.modelId).not.toBeNull();
    expect((await store.getModel(bad.modelId!))!.summary.metrics).toMatchObject({ bestEpoch: 1, epochs: 1 });
    expect(await store.getCheckpoint(badId)).toBeNull();
  }, 60_000);

  it('does not prune after a trial\'s last epoch: a finished bad trial completes', async () => {
    // One epoch a trial: the only verdict would come after training is over.
    const search = await newSearch({ earlyStopping: { name: 'median', startEpoch: 1, minTrials: 2 }, training: { epochs: 1, batchSize: 32, validationSplit: SPLIT } });
    for (let i = 0; i < 2; i++) expect(await runner().run(await addTrial(search.id))).toBe('completed');
    const badId = await addTrial(search.id, { hyperparameters: { ...HPS, learning_rate: 1e-7 } });
    expect(await runner().run(badId)).toBe('completed');
    const good = Math.min(...(await store.listTrials(search.id)).filter((t) => t.id !== badId).map((t) => t.value!));
    expect((await trial(badId)).value).toBeLessThan(good); // it was worse than the median: a verdict would have pruned it
  }, 60_000);

  it('starts no trial after budget.maxDurationSeconds; one that already ran resumes', async () => {
    const search = await newSearch({ budget: { maxTrials: 3, maxParallelTrials: 2, maxDurationSeconds: 1 } });
    const fresh = await addTrial(search.id);
    const resumed = await addTrial(search.id);
    await store.updateTrialIf(resumed, ['waiting'], { startedAt: search.createdAt }); // handed back by a worker's shutdown
    await new Promise((r) => setTimeout(r, 1100));
    expect(await runner().run(fresh)).toBe('cancelled');
    expect(await trial(fresh)).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/maxDurationSeconds/) });
    expect(await epochsOf(fresh)).toEqual([]);
    expect(await runner().run(resumed)).toBe('completed');
  }, 60_000);

  it('runs a retrain on a completed search from the parent\'s model and records the lineage; other trials of it are cancelled', async () => {
    const search = await newSearch({ training: { epochs: 1, batchSize: 32, validationSplit: SPLIT } });
    const parentId = await addTrial(search.id);
    expect(await runner().run(parentId)).toBe('completed');
    const parent = await trial(parentId);
    const { version } = (await store.getSearch(search.id))!;
    expect(await store.commitSchedule(search.id, version, { status: 'completed', bestTrialId: parentId, bestModelId: parent.modelId, finishedAt: new Date() }, [])).toBe(true);
    const retrainId = await addTrial(search.id, { source: 'retrain', parentTrialId: parentId, initialEpoch: 1, targetEpochs: 2 });
    expect(await runner().run(retrainId)).toBe('completed');
    const retrain = await trial(retrainId);
    expect((await epochsOf(retrainId)).map((e) => e.epoch)).toEqual([2]);
    expect(retrain.value).not.toBeNull();
    expect((await store.getModel(retrain.modelId!))!.parentModelId).toBe(parent.modelId);
    expect(await store.getSearch(search.id)).toMatchObject({ status: 'completed', bestTrialId: parentId, bestModelId: parent.modelId });
    expect(await runner().run(await addTrial(search.id))).toBe('cancelled');
  }, 60_000);
});
