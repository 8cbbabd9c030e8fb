// The model registry's cache on a real store; the inference engine is a recording fake, since
// what is under test is when models are loaded and disposed, not what they predict.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS } from '../../src/domain/datasets.js';
import { describeArchitecture } from '../../src/domain/model-summary.js';
import type { InferenceEngine } from '../../src/domain/training-port.js';
import { ModelService } from '../../src/services/model-service.js';
import { migrate } from '../../src/store/migrate.js';
import { openPrismaStore, type PrismaStore } from '../../src/store/prisma-store.js';
import { NOTEBOOK_BEST_HPS, NOTEBOOK_MODEL, referenceSearch } from '../fixtures/reference-search.js';

let dir: string;
let store: PrismaStore;
const ids: string[] = [];
const img = Array.from({ length: 28 }, () => Array.from({ length: 28 }, () => 0));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hypertune-models-'));
  const url = `file:${join(dir, 'db.sqlite')}`;
  await migrate(url);
  store = await openPrismaStore(url);
  const spec = { ...referenceSearch(), algorithm: { name: 'random' as const, seed: 1 }, budget: { maxTrials: 3, maxParallelTrials: 1, maxRetriesPerTrial: 2, maxRetrains: 3 }, training: { epochs: 1, batchSize: 32, validationSplit: 0.1 }, objective: { metric: 'val_accuracy' as const, direction: 'max' as const }, objectives: undefined, earlyStopping: { name: 'none' as const, startEpoch: 1, minTrials: 3 } };
  await store.createSearch({ id: 's1', name: 'x', spec });
  const data = DATASETS['fashion-mnist'];
  const summary = { ...describeArchitecture(NOTEBOOK_MODEL), hyperparameters: NOTEBOOK_BEST_HPS, metrics: { valAccuracy: 0.5, bestEpoch: 1, epochs: 1 }, dataset: { id: data.id, labels: data.labels, pixelMax: 255 } };
  for (let i = 1; i <= 3; i++) {
    await store.commitSchedule('s1', (await store.getSearch('s1'))!.version, {}, [{ id: `t${i}`, number: i, hyperparameters: NOTEBOOK_BEST_HPS }]);
    const m = await store.saveModel({ id: `m${i}`, searchId: 's1', trialId: `t${i}`, summary, artifact: { modelTopology: { i }, weightSpecs: [], weightData: new Uint8Array([i]) } });
    ids.push(m.id);
  }
});
afterAll(async () => { await store?.close(); rmSync(dir, { recursive: true, force: true }); });

/** A promise and its resolver: the test awaits what the service does instead of sleeping. */
function signal() {
  let fire!: () => void;
  const fired = new Promise<void>((r) => { fire = r; });
  return { fired, fire };
}

/** Records loads and disposals; m1's first prediction holds until `open()`, and says when it has started. */
function recordingEngine() {
  const events: string[] = [];
  const predicting = signal();
  const gate = signal();
  const disposals = new Map<string, ReturnType<typeof signal>>();
  const disposal = (name: string) => disposals.get(name) ?? disposals.set(name, signal()).get(name)!;
  let held = false;
  const engine: InferenceEngine = {
    async load(a) {
      const name = `m${(a.modelTopology as { i: number }).i}`;
      events.push(`load ${name}`);
      return {
        async predict(_x, count) {
          if (!held && name === 'm1') {
            held = true;
            predicting.fire();
            await gate.fired;
          }
          return new Float32Array(count * 10).fill(0.1);
        },
        dispose: () => { events.push(`dispose ${name}`); disposal(name).fire(); },
      };
    },
    archive: async () => { throw new Error('the cache tests export nothing'); },
  };
  return { engine, events, predicting: predicting.fired, open: gate.fire, disposed: (name: string) => disposal(name).fired };
}

describe('model registry cache', () => {
  it('reuses loaded models and never disposes one that is predicting', async () => {
    const { engine, events, predicting, open, disposed } = recordingEngine();
    const models = new ModelService(store, engine, { cacheSize: 1, maxInstances: 4 });
    const slow = models.predict(ids[0], [img]); // holds m1 until opened
    await predicting;
    await models.predict(ids[1], [img]); // evicts m1, which is still in use
    expect(events).toEqual(['load m1', 'load m2']);
    open();
    expect((await slow)[0].probabilities).toHaveLength(10);
    await disposed('m1');
    expect(events).toEqual(['load m1', 'load m2', 'dispose m1']);
    await models.predict(ids[1], [img]); // a cache hit
    expect(events.filter((e) => e === 'load m2')).toHaveLength(1);
    await models.close();
    await disposed('m2'); // close() releases the cached model (a test timeout otherwise)
  });
});
