// The searches-and-trials port on Prisma. Every conditional write is one statement (UPDATE ...
// WHERE id AND version/status), so it stays a compare-and-set however many API and worker
// processes share the database.
import type { HpValues } from '../domain/hyperparameters.js';
import type { SearchSpec } from '../domain/search-spec.js';
import type { SearchStatus, TrialStatus } from '../domain/trial-state.js';
import type { Search, Trial } from '../generated/sqlite/client.js';
import type { NewSearch, NewTrial, SearchPatch, SearchRecord, SearchState, SearchStore, TrialPatch, TrialRecord, TrialSource, TrialWithEpochs } from '../ports/search-store.js';
import type { DatasetRowLock } from './dataset-row-lock.js';
import { takeFor, toPage } from './keyset.js';
import { BY_EPOCH, toEpoch } from './prisma-epoch-store.js';
import { json, type DbClient, type Prisma } from './prisma-client.js';
import { prismaSearchSummaries } from './prisma-search-summaries.js';
import type { Runner } from './sqlite-queue.js';

/** Selects the id of the trial's model with the trial, for TrialRecord.modelId. */
const WITH_MODEL_ID = { model: { select: { id: true } } } as const;
const BY_NUMBER = { number: 'asc' } as const;
/** Every column of a search but its spec, which can be megabytes and never changes. */
const WITHOUT_SPEC = {
  id: true, name: true, status: true, version: true, error: true, bestTrialId: true, bestModelId: true, createdAt: true, finishedAt: true, tenant: true, pendingTrials: true,
} as const;

// The summary columns copy spec fields that never change, so GET /searches need not read the spec.
// The store takes any JSON as spec: a field it lacks leaves the column's default.
const newSearch = ({ id, name, spec, tenant }: NewSearch) => ({
  id, name, spec: json(spec), status: 'queued' satisfies SearchStatus, tenant: tenant ?? null,
  algorithm: spec.algorithm?.name, datasetId: spec.dataset?.id, objectiveMetric: spec.objective?.metric,
  objectiveDirection: spec.objective?.direction, maxTrials: spec.budget?.maxTrials,
});

export function prismaSearchStore(db: DbClient, run: Runner, lockDataset: DatasetRowLock): SearchStore {
  return {
    ...prismaSearchSummaries(db, run),

    createSearch(input) {
      return run(async () => toSearch(await db.search.create({ data: newSearch(input) })));
    },

    createSearchOnDataset(input, datasetId) {
      return run(() => db.$transaction(async (tx) => {
        // A share lock: searches created at once on one dataset do not wait for each other, a delete waits for them.
        const row = await lockDataset(tx, datasetId, 'share');
        if (!row) return { datasetState: 'missing' };
        // Datasets may carry a status (uploads processed off the API's loop): only a ready one takes searches.
        if (typeof row.status === 'string' && row.status !== 'ready') return { datasetState: row.status };
        return toSearch(await tx.search.create({ data: newSearch(input) }));
      }));
    },

    getSearch(id) {
      return run(async () => {
        const row = await db.search.findUnique({ where: { id } });
        return row && toSearch(row);
      });
    },

    getSearchState(id) {
      return run(async () => {
        const row = await db.search.findUnique({ where: { id }, select: WITHOUT_SPEC });
        return row && toSearchState(row);
      });
    },

    /** Newest first. */
    listSearches(filter = {}) {
      const where = {
        ...(filter.tenant === undefined ? {} : { tenant: filter.tenant }),
        ...(filter.statuses === undefined ? {} : { status: { in: filter.statuses } }),
      };
      return run(async () => (await db.search.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] })).map(toSearch));
    },

    countUnfinishedSearches(tenant) {
      const unfinished = { status: { in: ['queued', 'running'] satisfies SearchStatus[] } };
      const training = { trials: { some: { status: { in: ['waiting', 'running'] satisfies TrialStatus[] } } } };
      return run(() => db.search.count({ where: { tenant, OR: [unfinished, training] } }));
    },

    commitSchedule(searchId, expectedVersion, patch, newTrials) {
      return run(() =>
        db.$transaction(async (tx) => {
          // Version check and bump are one UPDATE: a concurrent commit waits for our row lock
          // (PostgreSQL) or the write lock (SQLite), then matches no row.
          const { count } = await tx.search.updateMany({
            where: { id: searchId, version: expectedVersion },
            data: { ...searchPatch(patch), version: { increment: 1 } },
          });
          if (count === 0) return false;
          if (newTrials.length > 0) {
            const status: TrialStatus = 'waiting';
            await tx.trial.createMany({ data: newTrials.map((t: NewTrial) => ({ ...t, searchId, status, hyperparameters: json(t.hyperparameters) })) });
          }
          return true;
        }),
      );
    },

    getTrial(id) {
      return run(async () => {
        const row = await db.trial.findUnique({ where: { id }, include: WITH_MODEL_ID });
        return row && toTrial(row);
      });
    },

    listTrials(searchId) {
      return run(async () => (await db.trial.findMany({ where: { searchId }, include: WITH_MODEL_ID, orderBy: BY_NUMBER })).map(toTrial));
    },

    listTrialsSince(searchId, afterNumber, numbers) {
      const where = { searchId, OR: [{ number: { gt: afterNumber } }, ...(numbers.length ? [{ number: { in: numbers } }] : [])] };
      return run(async () => (await db.trial.findMany({ where, include: WITH_MODEL_ID, orderBy: BY_NUMBER })).map(toTrial));
    },

    listTrialsWithEpochs(searchId): Promise<TrialWithEpochs[]> {
      return run(() => trialsWithEpochs(db, { searchId }));
    },

    pageTrialsWithEpochs(searchId, page) {
      const after = page.after === null ? {} : { number: { gt: page.after } };
      return run(async () => toPage(await trialsWithEpochs(db, { searchId, ...after }, takeFor(page)), page.limit, (t) => t.number));
    },

    /** Ordered by search, then trial number. */
    findTrials(statuses) {
      if (statuses.length === 0) return Promise.resolve([]);
      const orderBy = [{ searchId: 'asc' }, BY_NUMBER] as const;
      return run(async () => (await db.trial.findMany({ where: { status: { in: statuses } }, include: WITH_MODEL_ID, orderBy: [...orderBy] })).map(toTrial));
    },

    updateTrialIf(id, from, patch) {
      if (from.length === 0) return Promise.resolve(false);
      return run(async () => (await db.trial.updateMany({ where: { id, status: { in: from } }, data: trialPatch(patch) })).count > 0);
    },

    countTrialsByStatus() {
      return run(async () => {
        const rows = await db.trial.groupBy({ by: ['status'], _count: { _all: true } });
        return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
      });
    },
  };
}

async function trialsWithEpochs(db: DbClient, where: Prisma.TrialWhereInput, take?: number): Promise<TrialWithEpochs[]> {
  const include = { ...WITH_MODEL_ID, epochs: { orderBy: [...BY_EPOCH] } };
  const rows = await db.trial.findMany({ where, include, orderBy: BY_NUMBER, take });
  return rows.map((row) => ({ ...toTrial(row), epochs: row.epochs.map(toEpoch) }));
}

function searchPatch(p: SearchPatch): Prisma.SearchUpdateManyMutationInput {
  const pendingTrials = p.pendingTrials && json(p.pendingTrials);
  return { status: p.status, error: p.error, bestTrialId: p.bestTrialId, bestModelId: p.bestModelId, finishedAt: p.finishedAt, pendingTrials };
}

function trialPatch(p: TrialPatch): Prisma.TrialUpdateManyMutationInput {
  const { status, valAccuracy, value, latencyMs, targetEpochs, backend, error, attempts, startedAt, finishedAt, heartbeatAt, cancelRequestedAt } = p;
  return { status, valAccuracy, value, latencyMs, targetEpochs, backend, error, attempts, startedAt, finishedAt, heartbeatAt, cancelRequestedAt };
}

function toSearch(row: Search): SearchRecord {
  const { id, name, status, version, error, bestTrialId, bestModelId, createdAt, finishedAt, tenant, pendingTrials } = toSearchState(row);
  return { id, name, spec: row.spec as unknown as SearchSpec, status, version, error, bestTrialId, bestModelId, createdAt, finishedAt, tenant, pendingTrials };
}

function toSearchState(row: Pick<Search, keyof typeof WITHOUT_SPEC>): SearchState {
  const { id, name, version, error, bestTrialId, bestModelId, createdAt, finishedAt, tenant } = row;
  // Nullable column: a search created without warm starts has none pending.
  const pendingTrials = (row.pendingTrials ?? []) as HpValues[];
  return { id, name, status: row.status as SearchStatus, version, error, bestTrialId, bestModelId, createdAt, finishedAt, tenant, pendingTrials };
}

function toTrial(row: Trial & { model: { id: string } | null }): TrialRecord {
  const { id, searchId, number, valAccuracy, value, latencyMs, backend, error, attempts, createdAt, startedAt, finishedAt, heartbeatAt, cancelRequestedAt } = row;
  const { targetEpochs, initialEpoch, parentTrialId, bracket, rung } = row;
  const hyperparameters = row.hyperparameters as HpValues;
  return {
    id, searchId, number, status: row.status as TrialStatus, hyperparameters, valAccuracy, value, latencyMs, backend, error, attempts, modelId: row.model?.id ?? null,
    createdAt, startedAt, finishedAt, heartbeatAt, cancelRequestedAt, targetEpochs, initialEpoch, parentTrialId, bracket, rung, source: row.source as TrialSource,
  };
}
