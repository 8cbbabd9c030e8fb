// The Store port on Prisma, for SQLite and PostgreSQL alike (see prisma-client.ts). Every
// conditional write is one statement (UPDATE ... WHERE id AND version/status), so it stays a
// compare-and-set however many API and worker processes share the database.
//
// SQLite: operations on one file are serialized within this process. The better-sqlite3 adapter
// runs every query on one connection, so a query issued while an interactive transaction
// (commitSchedule) awaits between statements would run inside it, and be rolled back with it; and
// a second store on the same file (API and worker in one test process) would block the event loop
// in its busy wait while the lock holder cannot resume. Across processes the busy timeout applies.
import { resolve } from 'node:path';
import type { HpValues } from '../domain/hyperparameters.js';
import type { ModelArtifact } from '../domain/model-artifact.js';
import type { ModelSummary } from '../domain/model-summary.js';
import type { SearchSpec } from '../domain/search-spec.js';
import type { SearchStatus, TrialStatus } from '../domain/trial-state.js';
import type { EpochMetric, Model, Search, Trial } from '../generated/sqlite/client.js';
import type { CheckpointRecord, EpochRecord, TrainedTrialEpochs } from '../ports/epoch-store.js';
import type { ModelRecord, NewModel } from '../ports/model-store.js';
import type { NewTrial, SearchPatch, SearchRecord, TrialPatch, TrialRecord, TrialSource, TrialWithEpochs } from '../ports/search-store.js';
import type { Store } from '../ports/store.js';
import { PrismaApiKeyStore, type ApiKeyStore } from './api-key-store.js';
import { PrismaDatasetStore, type DatasetStore } from './dataset-store.js';
import { migrate, parseDatabaseUrl } from './migrate.js';
import { createPrismaClient, type DbClient, type Prisma } from './prisma-client.js';

type Runner = <T>(op: () => Promise<T>) => Promise<T>;

/** Selects the id of the trial's model with the trial, for TrialRecord.modelId. */
const WITH_MODEL_ID = { model: { select: { id: true } } } as const;
const BY_NUMBER = { number: 'asc' } as const;
const WITHOUT_ARTIFACT = { modelTopology: true, weightSpecs: true, weightData: true } as const;

export class PrismaStore implements Store {
  private constructor(
    private readonly db: DbClient,
    private readonly run: Runner,
  ) {}

  /** Applies pending migrations (see migrate.ts), then connects. */
  static async open(databaseUrl: string): Promise<PrismaStore> {
    await migrate(databaseUrl);
    const target = parseDatabaseUrl(databaseUrl);
    const db = createPrismaClient(databaseUrl);
    await db.$connect();
    return new PrismaStore(db, target.provider === 'sqlite' ? sqliteQueue(target.path) : (op) => op());
  }

  createSearch(input: { id: string; name: string; spec: SearchSpec; tenant?: string | null }): Promise<SearchRecord> {
    const data = { id: input.id, name: input.name, spec: json(input.spec), status: 'queued' satisfies SearchStatus, tenant: input.tenant ?? null };
    return this.run(async () => toSearch(await this.db.search.create({ data })));
  }

  getSearch(id: string): Promise<SearchRecord | null> {
    return this.run(async () => {
      const row = await this.db.search.findUnique({ where: { id } });
      return row && toSearch(row);
    });
  }

  /** Newest first. */
  listSearches(filter: { tenant?: string; statuses?: SearchStatus[] } = {}): Promise<SearchRecord[]> {
    const where = {
      ...(filter.tenant === undefined ? {} : { tenant: filter.tenant }),
      ...(filter.statuses === undefined ? {} : { status: { in: filter.statuses } }),
    };
    return this.run(async () => (await this.db.search.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] })).map(toSearch));
  }

  commitSchedule(searchId: string, expectedVersion: number, patch: SearchPatch, newTrials: NewTrial[]): Promise<boolean> {
    return this.run(() =>
      this.db.$transaction(async (tx) => {
        // Version check and bump are one UPDATE: a concurrent commit waits for our row lock
        // (PostgreSQL) or the write lock (SQLite), then matches no row.
        const { count } = await tx.search.updateMany({
          where: { id: searchId, version: expectedVersion },
          data: { ...searchPatch(patch), version: { increment: 1 } },
        });
        if (count === 0) return false;
        if (newTrials.length > 0) {
          const status: TrialStatus = 'waiting';
          await tx.trial.createMany({ data: newTrials.map((t) => ({ ...t, searchId, status, hyperparameters: json(t.hyperparameters) })) });
        }
        return true;
      }),
    );
  }

  getTrial(id: string): Promise<TrialRecord | null> {
    return this.run(async () => {
      const row = await this.db.trial.findUnique({ where: { id }, include: WITH_MODEL_ID });
      return row && toTrial(row);
    });
  }

  listTrials(searchId: string): Promise<TrialRecord[]> {
    return this.run(async () => (await this.db.trial.findMany({ where: { searchId }, include: WITH_MODEL_ID, orderBy: BY_NUMBER })).map(toTrial));
  }

  listTrialsWithEpochs(searchId: string): Promise<TrialWithEpochs[]> {
    return this.run(async () => {
      const include = { ...WITH_MODEL_ID, epochs: { orderBy: [{ execution: 'asc' as const }, { epoch: 'asc' as const }] } };
      const rows = await this.db.trial.findMany({ where: { searchId }, include, orderBy: BY_NUMBER });
      return rows.map((row) => ({ ...toTrial(row), epochs: row.epochs.map(toEpoch) }));
    });
  }

  /** Ordered by search, then trial number. */
  findTrials(statuses: TrialStatus[]): Promise<TrialRecord[]> {
    if (statuses.length === 0) return Promise.resolve([]);
    const orderBy = [{ searchId: 'asc' }, BY_NUMBER] as const;
    return this.run(async () => (await this.db.trial.findMany({ where: { status: { in: statuses } }, include: WITH_MODEL_ID, orderBy: [...orderBy] })).map(toTrial));
  }

  updateTrialIf(id: string, from: TrialStatus[], patch: TrialPatch): Promise<boolean> {
    if (from.length === 0) return Promise.resolve(false);
    return this.run(async () => (await this.db.trial.updateMany({ where: { id, status: { in: from } }, data: trialPatch(patch) })).count > 0);
  }

  listEpochs(trialId: string): Promise<EpochRecord[]> {
    return this.run(async () => (await this.db.epochMetric.findMany({ where: { trialId }, orderBy: [{ execution: 'asc' }, { epoch: 'asc' }] })).map(toEpoch));
  }

  recordEpoch(e: EpochRecord): Promise<void> {
    const values = { loss: e.loss, accuracy: e.accuracy, valLoss: e.valLoss, valAccuracy: e.valAccuracy, durationMs: e.durationMs };
    const key = { trialId: e.trialId, execution: e.execution ?? 0, epoch: e.epoch };
    // Prisma makes this one INSERT ... ON CONFLICT (trial_id, execution, epoch) DO UPDATE on both providers.
    return this.run(async () => {
      await this.db.epochMetric.upsert({
        where: { trialId_execution_epoch: key },
        create: { ...key, ...values },
        update: values,
      });
    });
  }

  deleteEpochs(trialId: string, afterEpoch?: number, execution = 0): Promise<void> {
    const where = afterEpoch === undefined
      ? { trialId }
      : { trialId, OR: [{ execution, epoch: { gt: afterEpoch } }, { execution: { gt: execution } }] };
    return this.run(async () => {
      await this.db.epochMetric.deleteMany({ where });
    });
  }

  countTrialsByStatus(): Promise<Partial<Record<TrialStatus, number>>> {
    return this.run(async () => {
      const rows = await this.db.trial.groupBy({ by: ['status'], _count: { _all: true } });
      return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
    });
  }

  epochCountsByTrial(): Promise<{ backend: string; epochs: number }[]> {
    return this.run(async () => {
      const rows = await this.db.trial.findMany({ where: { backend: { not: null } }, select: { backend: true, _count: { select: { epochs: true } } } });
      return rows.map((r) => ({ backend: r.backend!, epochs: r._count.epochs }));
    });
  }

  recentTrainedTrials(backend: string, limit: number): Promise<TrainedTrialEpochs[]> {
    return this.run(async () => {
      const rows = await this.db.trial.findMany({
        where: { backend, epochs: { some: {} } },
        orderBy: [{ startedAt: 'desc' }, { id: 'asc' }],
        take: limit,
        select: { epochs: { select: { durationMs: true } }, search: { select: { spec: true } } },
      });
      return rows.map((r) => ({ spec: r.search.spec as unknown as SearchSpec, epochDurationsMs: r.epochs.map((e) => e.durationMs) }));
    });
  }

  saveCheckpoint(c: CheckpointRecord): Promise<void> {
    const content = { execution: c.execution ?? 0, epoch: c.epoch, weightSpecs: json(c.weightSpecs), weightData: new Uint8Array(c.weightData) };
    // Not upsert: Prisma encodes the blob once for create and once for update, which doubled the
    // time of every epoch's save (88 MB: 2.2 s against 1.1 s). One runner holds a trial at a time.
    return this.run(async () => {
      const { count } = await this.db.trialCheckpoint.updateMany({ where: { trialId: c.trialId }, data: content });
      if (count === 0) await this.db.trialCheckpoint.create({ data: { trialId: c.trialId, ...content } });
    });
  }

  getCheckpoint(trialId: string): Promise<CheckpointRecord | null> {
    return this.run(async () => {
      const row = await this.db.trialCheckpoint.findUnique({ where: { trialId } });
      return row && { trialId, execution: row.execution, epoch: row.epoch, weightSpecs: row.weightSpecs as unknown[], weightData: row.weightData };
    });
  }

  deleteCheckpoint(trialId: string): Promise<void> {
    return this.run(async () => {
      await this.db.trialCheckpoint.deleteMany({ where: { trialId } });
    });
  }

  /**
   * One model per trial. Saving again for the same trial replaces the content (and createdAt) but
   * KEEPS the existing row's id, input.id going unused, so a bestModelId already pointing at it
   * stays valid: callers must use the returned record's id.
   */
  saveModel(input: NewModel): Promise<ModelRecord> {
    const { artifact } = input;
    const content = {
      searchId: input.searchId,
      parentModelId: input.parentModelId ?? null,
      summary: json(input.summary),
      modelTopology: json(artifact.modelTopology),
      weightSpecs: json(artifact.weightSpecs),
      // Prisma wants a Uint8Array over a plain ArrayBuffer; tfjs may hand over a view into a
      // larger or shared buffer, so copy exactly the view's bytes.
      weightData: new Uint8Array(artifact.weightData),
    };
    // Find, then update or create, rather than upsert: see saveCheckpoint.
    return this.run(async () => {
      const existing = await this.db.model.findUnique({ where: { trialId: input.trialId }, select: { id: true } });
      const row = existing
        ? await this.db.model.update({ where: { id: existing.id }, data: { ...content, createdAt: new Date() }, omit: WITHOUT_ARTIFACT })
        : await this.db.model.create({ data: { id: input.id, trialId: input.trialId, ...content }, omit: WITHOUT_ARTIFACT });
      return toModel(row);
    });
  }

  getModel(id: string): Promise<ModelRecord | null> {
    return this.run(async () => {
      const row = await this.db.model.findUnique({ where: { id }, omit: WITHOUT_ARTIFACT });
      return row && toModel(row);
    });
  }

  getModelArtifact(id: string): Promise<ModelArtifact | null> {
    return this.run(async () => {
      const row = await this.db.model.findUnique({ where: { id }, select: WITHOUT_ARTIFACT });
      return row && { modelTopology: row.modelTopology, weightSpecs: row.weightSpecs as unknown[], weightData: row.weightData };
    });
  }

  /** The API-key table on this store's connection; closed with it. */
  apiKeys(): ApiKeyStore {
    return new PrismaApiKeyStore(this.db, this.run);
  }

  /** The uploaded datasets on this store's connection; closed with it. */
  datasets(): DatasetStore {
    return new PrismaDatasetStore(this.db, this.run);
  }

  close(): Promise<void> {
    return this.run(() => this.db.$disconnect());
  }
}

const sqliteQueues = new Map<string, Promise<unknown>>();

/** Runs operations on one SQLite file one after another, in call order, across this process. */
function sqliteQueue(path: string): Runner {
  // Every ':memory:' connection is a database of its own: queue per store.
  const key = path === ':memory:' ? `:memory:${sqliteQueues.size}:${Math.random()}` : resolve(path);
  return (op) => {
    const result = (sqliteQueues.get(key) ?? Promise.resolve()).then(op, op);
    sqliteQueues.set(key, result.catch(() => undefined));
    return result;
  };
}

/** Our JSON columns hold plain objects; Prisma's input type cannot see that through interfaces. */
const json = (value: unknown) => value as Prisma.InputJsonValue;

function searchPatch(p: SearchPatch): Prisma.SearchUpdateManyMutationInput {
  const pendingTrials = p.pendingTrials && json(p.pendingTrials);
  return { status: p.status, error: p.error, bestTrialId: p.bestTrialId, bestModelId: p.bestModelId, finishedAt: p.finishedAt, pendingTrials };
}

function trialPatch(p: TrialPatch): Prisma.TrialUpdateManyMutationInput {
  const { status, valAccuracy, value, targetEpochs, backend, error, attempts, startedAt, finishedAt, heartbeatAt } = p;
  return { status, valAccuracy, value, targetEpochs, backend, error, attempts, startedAt, finishedAt, heartbeatAt };
}

function toSearch(row: Search): SearchRecord {
  const { id, name, version, error, bestTrialId, bestModelId, createdAt, finishedAt, tenant } = row;
  const pendingTrials = (row.pendingTrials ?? []) as HpValues[];
  return { id, name, spec: row.spec as unknown as SearchSpec, status: row.status as SearchStatus, version, error, bestTrialId, bestModelId, createdAt, finishedAt, tenant, pendingTrials };
}

function toTrial(row: Trial & { model: { id: string } | null }): TrialRecord {
  const { id, searchId, number, valAccuracy, value, backend, error, attempts, createdAt, startedAt, finishedAt, heartbeatAt } = row;
  const { targetEpochs, initialEpoch, parentTrialId, bracket, rung } = row;
  const hyperparameters = row.hyperparameters as HpValues;
  return {
    id, searchId, number, status: row.status as TrialStatus, hyperparameters, valAccuracy, value, backend, error, attempts, modelId: row.model?.id ?? null,
    createdAt, startedAt, finishedAt, heartbeatAt, targetEpochs, initialEpoch, parentTrialId, bracket, rung, source: row.source as TrialSource,
  };
}

function toEpoch(row: EpochMetric): EpochRecord {
  const { trialId, execution, epoch, loss, accuracy, valLoss, valAccuracy, durationMs } = row;
  return { trialId, execution, epoch, loss, accuracy, valLoss, valAccuracy, durationMs };
}

function toModel(row: Pick<Model, 'id' | 'searchId' | 'trialId' | 'parentModelId' | 'summary' | 'createdAt'>): ModelRecord {
  const { id, searchId, trialId, parentModelId, createdAt } = row;
  return { id, searchId, trialId, parentModelId, summary: row.summary as unknown as ModelSummary, createdAt };
}
