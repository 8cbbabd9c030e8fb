// A real store (a SQLite file per test file) with searches and trials stored as the service stores
// them, for the trial runner's tests. Call useTrialStore() at the top of a test file.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { HpValues } from '../../src/domain/hyperparameters.js';
import { normalizeSpec, type SearchRequest } from '../../src/domain/search-spec.js';
import type { TrainingEngine, TrainRequest } from '../../src/domain/training-port.js';
import type { NewTrial, SearchPatch, TrialRecord } from '../../src/ports/search-store.js';
import { migrate } from '../../src/store/migrate.js';
import { openPrismaStore, type PrismaStore } from '../../src/store/prisma-store.js';

export const LIMIT = 300;
export const SPLIT = 0.2;
export const HPS: HpValues = { units: 16, learning_rate: 0.003 };

export function useTrialStore() {
  let dir: string;
  let store: PrismaStore | undefined;
  let searches = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hypertune-runner-'));
    const url = `file:${join(dir, 'db.sqlite')}`;
    await migrate(url);
    store = await openPrismaStore(url);
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const db = () => store!;

  return {
    get store(): PrismaStore {
      return db();
    },

    /** A search of a tiny dense model on LIMIT images, stored as the service would store it. */
    async newSearch(req: Partial<SearchRequest> = {}) {
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
      return db().createSearch({ id, name: id, spec });
    },

    async addTrial(searchId: string, fields: Partial<NewTrial> = {}): Promise<string> {
      const search = (await db().getSearch(searchId))!;
      const id = randomUUID();
      const number = (await db().listTrials(searchId)).length + 1;
      expect(await db().commitSchedule(searchId, search.version, {}, [{ id, number, hyperparameters: HPS, ...fields }])).toBe(true);
      return id;
    },

    /** Changes the search as the service would (conditional on its version). */
    async setSearch(id: string, patch: SearchPatch) {
      const search = (await db().getSearch(id))!;
      expect(await db().commitSchedule(id, search.version, patch, [])).toBe(true);
    },

    trial: async (id: string): Promise<TrialRecord> => (await db().getTrial(id))!,

    epochsOf: async (id: string) =>
      (await db().listEpochs(id)).map(({ execution, epoch, valLoss, valAccuracy }) => ({ execution: execution ?? 0, epoch, valLoss, valAccuracy })),
  };
}

/** An engine that hands every request to `wrap` (to record it or to change its callbacks) before `inner` trains. */
export function wrapped(inner: TrainingEngine, wrap: (req: TrainRequest, call: number) => TrainRequest): TrainingEngine {
  let calls = 0;
  return { backend: inner.backend, train: (req) => inner.train(wrap(req, calls++)), predictionLatency: (a, shape) => inner.predictionLatency(a, shape) };
}
