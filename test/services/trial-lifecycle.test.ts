// The trial lifecycle on a real store (SQLite file) and a fake training engine whose metrics each
// test chooses: executions and their crash recovery, median early stopping, the deadline, a
// shutdown's hand-back, a search that ends mid-trial, races with other processes, and retrains.
// Real training is tested in trial-runner.test.ts.
import { describe, expect, it } from 'vitest';
import { BUILTIN_CATALOG } from '../../src/domain/dataset-source.js';
import type { TrainingEngine } from '../../src/domain/training-port.js';
import { createLogger } from '../../src/logger.js';
import { TrialRunner } from '../../src/services/trial-runner.js';
import { trialView } from '../../src/services/views.js';
import type { PrismaStore } from '../../src/store/prisma-store.js';
import { FakeTrainingEngine, heldBy } from './fake-training-engine.js';
import { HPS, SPLIT, useTrialStore, wrapped } from './trial-fixture.js';

const db = useTrialStore();
const { newSearch, addTrial, setSearch, trial, epochsOf } = db;
const log = createLogger('silent', 'test');
const runner = (engine: TrainingEngine, now?: () => Date) => new TrialRunner(db.store, engine, log, BUILTIN_CATALOG, now);
/** Trials that reach 0.8 each epoch, or 0.1 with a learning rate too small to learn anything. */
const learning = () => new FakeTrainingEngine((req) => ({ valAccuracy: req.model.optimizer.learningRate < 1e-6 ? 0.1 : 0.8 }));

describe('trial lifecycle', () => {
  it('trains executionsPerTrial times from fresh weights; value is the mean of their bests, the model the best one\'s', async () => {
    const search = await newSearch({ training: { epochs: 2, batchSize: 32, validationSplit: SPLIT, executionsPerTrial: 2 } });
    const id = await addTrial(search.id);
    const fake = new FakeTrainingEngine((_, epoch, call) => ({ valAccuracy: [[0.5, 0.6], [0.7, 0.65]][call][epoch - 1] }));
    expect(await runner(fake).run(id)).toBe('completed');
    expect(fake.requests.map((r) => [r.initialWeights, r.resume])).toEqual([[undefined, undefined], [undefined, undefined]]);
    const epochs = await epochsOf(id);
    expect(epochs.map((e) => [e.execution, e.epoch, e.valAccuracy])).toEqual([[0, 1, 0.5], [0, 2, 0.6], [1, 1, 0.7], [1, 2, 0.65]]);
    const t = await trial(id);
    expect(t.value).toBeCloseTo(0.65, 12);
    expect(t.valAccuracy).toBeCloseTo(0.65, 12);
    expect((await db.store.getModel(t.modelId!))!.summary.metrics).toEqual({ valAccuracy: 0.7, bestEpoch: 1, epochs: 2 });
    expect(heldBy((await db.store.getModelArtifact(t.modelId!))!)).toEqual([1, 1]); // execution 1's epoch 1
    expect(await db.store.getCheckpoint(id)).toBeNull();
    const view = trialView((await db.store.listTrialsWithEpochs(search.id))[0], search.spec);
    expect(view.epochs.map((e) => e.execution)).toEqual([0, 0, 1, 1]);
    expect(view.meanEpochs?.map((e) => e.valAccuracy)).toEqual([(0.5 + 0.7) / 2, (0.6 + 0.65) / 2]);
  });

  it('resumes a crashed second execution from its checkpoint without running the first again', async () => {
    const search = await newSearch({ training: { epochs: 3, batchSize: 32, validationSplit: SPLIT, executionsPerTrial: 2 } });
    const id = await addTrial(search.id);
    // Execution 0 peaks at epoch 2 and stays the best: the model stored before the crash is the trial's.
    const second = [0.2, 0.5, 0.6];
    const first = new FakeTrainingEngine((_, epoch, call) => ({ valAccuracy: (call === 0 ? [0.5, 0.9, 0.8] : second)[epoch - 1] }));
    // The process dies after epoch 2 of execution 1 is recorded and checkpointed.
    const crashing = wrapped(first, (req, call) => (call === 0 ? req : {
      ...req,
      onEpochEnd: async (m, checkpoint) => {
        const decision = await req.onEpochEnd(m, checkpoint);
        if (m.epoch === 2) throw new Error('worker lost');
        return decision;
      },
    }));
    await expect(runner(crashing).run(id)).rejects.toThrow('worker lost');
    expect(await trial(id)).toMatchObject({ status: 'running', attempts: 1 });
    expect(await db.store.getCheckpoint(id)).toMatchObject({ execution: 1, epoch: 2 });
    const before = await epochsOf(id);
    expect(before.map((e) => [e.execution, e.epoch])).toEqual([[0, 1], [0, 2], [0, 3], [1, 1], [1, 2]]);

    const retry = new FakeTrainingEngine((_, epoch) => ({ valAccuracy: second[epoch - 1] }));
    expect(await runner(retry).run(id)).toBe('completed');
    expect(retry.requests).toHaveLength(1); // execution 1 only
    expect(retry.requests[0].resume?.checkpoint.epoch).toBe(2);
    expect(retry.requests[0].resume?.epochs.map((e) => [e.epoch, e.valAccuracy])).toEqual([[1, 0.2], [2, 0.5]]);
    const epochs = await epochsOf(id);
    expect(epochs.slice(0, 3)).toEqual(before.slice(0, 3));
    expect(epochs.map((e) => [e.execution, e.epoch])).toEqual([[0, 1], [0, 2], [0, 3], [1, 1], [1, 2], [1, 3]]);
    const t = await trial(id);
    expect(t).toMatchObject({ status: 'completed', attempts: 2 });
    expect(t.value).toBeCloseTo((0.9 + 0.6) / 2, 12);
    expect(heldBy((await db.store.getModelArtifact(t.modelId!))!)).toEqual([0, 2]); // the first run's execution 0, epoch 2
  });

  it('prunes a bad trial against the median of completed ones, keeping its metrics and model', async () => {
    const search = await newSearch({ earlyStopping: { name: 'median', startEpoch: 1, minTrials: 2 } });
    for (let i = 0; i < 2; i++) expect(await runner(learning()).run(await addTrial(search.id))).toBe('completed'); // too few others to prune
    const badId = await addTrial(search.id, { hyperparameters: { ...HPS, learning_rate: 1e-7 } });
    expect(await runner(learning()).run(badId)).toBe('pruned');
    const bad = await trial(badId);
    const epochs = await epochsOf(badId);
    expect(epochs.map((e) => e.epoch)).toEqual([1]); // stopped at once
    expect(bad).toMatchObject({ status: 'pruned', value: 0.1, valAccuracy: 0.1, error: null, targetEpochs: 1 });
    expect(bad.finishedAt).not.toBeNull();
    expect((await db.store.getModel(bad.modelId!))!.summary.metrics).toMatchObject({ bestEpoch: 1, epochs: 1 });
    expect(await db.store.getCheckpoint(badId)).toBeNull();
  });

  it('does not prune after a trial\'s last epoch: a finished bad trial completes', async () => {
    // One epoch a trial: the only verdict would come after training is over.
    const search = await newSearch({ earlyStopping: { name: 'median', startEpoch: 1, minTrials: 2 }, training: { epochs: 1, batchSize: 32, validationSplit: SPLIT } });
    for (let i = 0; i < 2; i++) expect(await runner(learning()).run(await addTrial(search.id))).toBe('completed');
    const badId = await addTrial(search.id, { hyperparameters: { ...HPS, learning_rate: 1e-7 } });
    expect(await runner(learning()).run(badId)).toBe('completed');
    expect(await trial(badId)).toMatchObject({ status: 'completed', value: 0.1 }); // worse than the others' 0.8: a verdict would prune it
  });

  it('starts no trial after budget.maxDurationSeconds; one that already ran resumes', async () => {
    const search = await newSearch({ budget: { maxTrials: 3, maxParallelTrials: 2, maxDurationSeconds: 1 } });
    const fresh = await addTrial(search.id);
    const resumed = await addTrial(search.id);
    await db.store.updateTrialIf(resumed, ['waiting'], { startedAt: search.createdAt }); // handed back by a worker's shutdown
    const deadline = () => new Date(search.createdAt.getTime() + 1000);
    expect(await runner(new FakeTrainingEngine(), () => search.createdAt).run(fresh)).toBe('completed'); // before it, a trial starts
    const late = await addTrial(search.id);
    expect(await runner(new FakeTrainingEngine(), deadline).run(late)).toBe('cancelled');
    expect(await trial(late)).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/maxDurationSeconds/) });
    expect(await epochsOf(late)).toEqual([]);
    expect(await runner(new FakeTrainingEngine(), deadline).run(resumed)).toBe('completed');
  });

  it('hands the trial back at an epoch boundary when the worker stops; the next run resumes there', async () => {
    const search = await newSearch({ training: { epochs: 3, batchSize: 32, validationSplit: SPLIT } });
    const id = await addTrial(search.id);
    expect(await runner(new FakeTrainingEngine()).run(id, { stopRequested: () => true, heartbeatIntervalMs: 10_000 })).toBe('handed-back');
    expect(await trial(id)).toMatchObject({ status: 'waiting', attempts: 0, heartbeatAt: null });
    expect(await db.store.getCheckpoint(id)).toMatchObject({ epoch: 1 });
    const next = new FakeTrainingEngine();
    expect(await runner(next).run(id)).toBe('completed');
    expect(next.requests[0].resume?.checkpoint.epoch).toBe(1);
    expect((await epochsOf(id)).map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(await trial(id)).toMatchObject({ status: 'completed', attempts: 1 });
  });

  it('cancels a trial whose search ends while it trains; leaves alone one that ended or that another process moved', async () => {
    const search = await newSearch({ training: { epochs: 3, batchSize: 32, validationSplit: SPLIT } });
    const id = await addTrial(search.id);
    const cancelling = wrapped(new FakeTrainingEngine(), (req) => ({
      ...req,
      onEpochEnd: async (m, c) => {
        await setSearch(search.id, { status: 'cancelled', finishedAt: new Date() });
        return req.onEpochEnd(m, c);
      },
    }));
    expect(await runner(cancelling).run(id)).toBe('cancelled');
    expect(await trial(id)).toMatchObject({ status: 'cancelled', error: `search '${search.id}' was cancelled` });
    expect((await epochsOf(id)).map((e) => e.epoch)).toEqual([1]);
    expect(await db.store.getCheckpoint(id)).toBeNull();
    expect(await runner(new FakeTrainingEngine()).run(id)).toBe('already-final');

    const other = await newSearch({ training: { epochs: 1, batchSize: 32, validationSplit: SPLIT } });
    const failedMeanwhile = await addTrial(other.id);
    const failing = wrapped(new FakeTrainingEngine(), (req) => ({
      ...req,
      onEpochEnd: async (m, c) => {
        await db.store.updateTrialIf(failedMeanwhile, ['running'], { status: 'failed', error: 'reconciled' });
        return req.onEpochEnd(m, c);
      },
    }));
    expect(await runner(failing).run(failedMeanwhile)).toBe('lost-finish');
    expect(await trial(failedMeanwhile)).toMatchObject({ status: 'failed', error: 'reconciled' });

    const raced = await addTrial(other.id);
    const racing = Object.assign(Object.create(db.store) as PrismaStore, { updateTrialIf: async () => false });
    expect(await new TrialRunner(racing, new FakeTrainingEngine(), log).run(raced)).toBe('lost-start');
    expect(await trial(raced)).toMatchObject({ status: 'waiting', attempts: 0 });
  });

  it('runs a retrain on a completed search from the parent\'s model and records the lineage; other trials of it are cancelled', async () => {
    const search = await newSearch({ training: { epochs: 1, batchSize: 32, validationSplit: SPLIT } });
    const parentId = await addTrial(search.id);
    expect(await runner(new FakeTrainingEngine()).run(parentId)).toBe('completed');
    const parent = await trial(parentId);
    await setSearch(search.id, { status: 'completed', bestTrialId: parentId, bestModelId: parent.modelId, finishedAt: new Date() });
    const retrainId = await addTrial(search.id, { source: 'retrain', parentTrialId: parentId, initialEpoch: 1, targetEpochs: 2 });
    const fake = new FakeTrainingEngine();
    expect(await runner(fake).run(retrainId)).toBe('completed');
    expect(fake.requests.map((r) => [r.initialEpoch, heldBy(r.initialWeights!)])).toEqual([[1, [0, 1]]]); // the parent's model
    const retrain = await trial(retrainId);
    expect((await epochsOf(retrainId)).map((e) => e.epoch)).toEqual([2]);
    expect(retrain.value).toBe(0.5);
    expect((await db.store.getModel(retrain.modelId!))!.parentModelId).toBe(parent.modelId);
    expect(await db.store.getSearch(search.id)).toMatchObject({ status: 'completed', bestTrialId: parentId, bestModelId: parent.modelId });
    expect(await runner(new FakeTrainingEngine()).run(await addTrial(search.id))).toBe('cancelled');
  });
});
