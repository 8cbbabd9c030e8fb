// The epochs-and-checkpoints port on Prisma: what a running trial writes at each epoch's end.
import type { SearchSpec } from '../domain/search-spec.js';
import type { EpochMetric } from '../generated/sqlite/client.js';
import type { EpochRecord, EpochStore } from '../ports/epoch-store.js';
import type { CheckpointRows } from './checkpoint-rows.js';
import type { DbClient } from './prisma-client.js';
import type { Runner } from './sqlite-queue.js';

/** A trial's epochs in the order they trained: execution by execution. */
export const BY_EPOCH = [{ execution: 'asc' }, { epoch: 'asc' }] as const;

/** Checkpoint rows go through the driver (checkpoint-rows.ts); the rest through Prisma. */
export function prismaEpochStore(db: DbClient, run: Runner, checkpoints: CheckpointRows): EpochStore {
  return {
    listEpochs(trialId) {
      return run(async () => (await db.epochMetric.findMany({ where: { trialId }, orderBy: [...BY_EPOCH] })).map(toEpoch));
    },

    listEpochsOf(trialIds) {
      if (trialIds.length === 0) return Promise.resolve([]);
      return run(async () => (await db.epochMetric.findMany({ where: { trialId: { in: trialIds } }, orderBy: [{ trialId: 'asc' }, ...BY_EPOCH] })).map(toEpoch));
    },

    recordEpoch(e) {
      const values = { loss: e.loss, accuracy: e.accuracy, valLoss: e.valLoss, valAccuracy: e.valAccuracy, durationMs: e.durationMs };
      const key = { trialId: e.trialId, execution: e.execution ?? 0, epoch: e.epoch };
      // Prisma makes this one INSERT ... ON CONFLICT (trial_id, execution, epoch) DO UPDATE on both providers.
      return run(async () => {
        await db.epochMetric.upsert({
          where: { trialId_execution_epoch: key },
          create: { ...key, ...values },
          update: values,
        });
      });
    },

    deleteEpochs(trialId, afterEpoch, execution = 0) {
      const where = afterEpoch === undefined
        ? { trialId }
        : { trialId, OR: [{ execution, epoch: { gt: afterEpoch } }, { execution: { gt: execution } }] };
      return run(async () => {
        await db.epochMetric.deleteMany({ where });
      });
    },

    epochCountsByTrial() {
      return run(async () => {
        const rows = await db.trial.findMany({ where: { backend: { not: null } }, select: { backend: true, _count: { select: { epochs: true } } } });
        return rows.map((r) => ({ backend: r.backend!, epochs: r._count.epochs }));
      });
    },

    recentTrainedTrials(backend, limit) {
      return run(async () => {
        const rows = await db.trial.findMany({
          where: { backend, epochs: { some: {} } },
          orderBy: [{ startedAt: 'desc' }, { id: 'asc' }],
          take: limit,
          select: { epochs: { select: { durationMs: true } }, search: { select: { spec: true } } },
        });
        return rows.map((r) => ({ spec: r.search.spec as unknown as SearchSpec, epochDurationsMs: r.epochs.map((e) => e.durationMs) }));
      });
    },

    saveCheckpoint(c) {
      return run(() => checkpoints.save(c));
    },

    getCheckpoint(trialId) {
      return run(() => checkpoints.get(trialId));
    },

    deleteCheckpoint(trialId) {
      return run(async () => {
        await db.trialCheckpoint.deleteMany({ where: { trialId } });
      });
    },
  };
}

export function toEpoch(row: EpochMetric): EpochRecord {
  const { trialId, execution, epoch, loss, accuracy, valLoss, valAccuracy, durationMs } = row;
  return { trialId, execution, epoch, loss, accuracy, valLoss, valAccuracy, durationMs };
}
