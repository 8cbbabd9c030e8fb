// The dataset port (src/ports/dataset-store.ts) on Prisma. Pixels sit in a table of their own
// (dataset_data), so listing and describing datasets never loads them. Shares PrismaStore's
// connection and, on SQLite, its operation queue (see prisma-store.ts).
import type { DatasetFormat } from '../domain/datasets.js';
import { isFinalSearchStatus, isFinalTrialStatus, SEARCH_STATUSES, TRIAL_STATUSES } from '../domain/trial-state.js';
import type { Dataset } from '../generated/sqlite/client.js';
import type { DatasetBlobs, DatasetFailure, DatasetRecord, DatasetStatus, DatasetStore, DecodedDataset } from '../ports/dataset-store.js';
import type { Page, PageRequest, TimeKey } from '../ports/page.js';
import type { DatasetRowLock } from './dataset-row-lock.js';
import { afterTime, byTime, takeFor, timeKey, toPage } from './keyset.js';
import { json, type DbClient } from './prisma-client.js';
import type { Runner } from './sqlite-queue.js';

const ACTIVE = SEARCH_STATUSES.filter((s) => !isFinalSearchStatus(s));
const UNFINISHED_TRIAL = TRIAL_STATUSES.filter((s) => !isFinalTrialStatus(s));
/** Writing a large dataset's blobs takes seconds: Prisma's 5 s default would cut the transaction. */
const BLOB_TX = { timeout: 10 * 60_000, maxWait: 60_000 };

// Prisma wants a Uint8Array over a plain ArrayBuffer of exactly its bytes: copy views.
const bytes = (b: Uint8Array) => (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b as Uint8Array<ArrayBuffer> : new Uint8Array(b));
const blobsOf = (data: { train: DatasetBlobs; test: DatasetBlobs }) => ({
  trainImages: bytes(data.train.images), trainLabels: bytes(data.train.labels),
  testImages: bytes(data.test.images), testLabels: bytes(data.test.labels),
});

export class PrismaDatasetStore implements DatasetStore {
  constructor(private readonly db: DbClient, private readonly run: Runner, private readonly lockRow: DatasetRowLock) {}

  createDataset(record: Parameters<DatasetStore['createDataset']>[0], data: { train: DatasetBlobs; test: DatasetBlobs }): Promise<DatasetRecord> {
    const blobs = blobsOf(data);
    const size = blobs.trainImages.byteLength + blobs.trainLabels.byteLength + blobs.testImages.byteLength + blobs.testLabels.byteLength;
    const { inputShape, labels, ...rest } = record;
    // One statement tree: the metadata row and its data row are written together or not at all.
    return this.run(async () => toDataset(await this.db.dataset.create({
      data: { ...rest, inputShape: json(inputShape), labels: json(labels), bytes: size, data: { create: blobs } },
    })));
  }

  createProcessingDataset(record: Parameters<DatasetStore['createProcessingDataset']>[0]): Promise<DatasetRecord> {
    const { heartbeatAt = new Date(), ...rest } = record;
    return this.run(async () => toDataset(await this.db.dataset.create({
      data: {
        ...rest, status: 'processing', heartbeatAt,
        inputShape: json([0, 0, 0]), numClasses: 0, labels: json([]), trainSize: 0, testSize: 0, pixelMax: 255,
      },
    })));
  }

  completeDataset(id: string, decoded: DecodedDataset, data: { train: DatasetBlobs; test: DatasetBlobs }): Promise<boolean> {
    const blobs = blobsOf(data);
    const { inputShape, labels, ...rest } = decoded;
    return this.run(() => this.db.$transaction(async (tx) => {
      // The row first: a delete that came meanwhile leaves nothing to update, and no orphan data is written.
      const { count } = await tx.dataset.updateMany({
        where: { id, status: 'processing' },
        data: { ...rest, inputShape: json(inputShape), labels: json(labels), status: 'ready', heartbeatAt: null },
      });
      if (count === 0) return false;
      await tx.datasetData.create({ data: { datasetId: id, ...blobs } });
      return true;
    }, BLOB_TX));
  }

  failDataset(id: string, error: DatasetFailure, staleBefore?: Date): Promise<boolean> {
    return this.run(async () => {
      const where = { id, status: 'processing', ...(staleBefore && { heartbeatAt: { lt: staleBefore } }) };
      const { count } = await this.db.dataset.updateMany({ where, data: { status: 'failed', error: json(error), bytes: 0, heartbeatAt: null } });
      return count > 0;
    });
  }

  heartbeatDataset(id: string): Promise<void> {
    return this.run(async () => {
      await this.db.dataset.updateMany({ where: { id, status: 'processing' }, data: { heartbeatAt: new Date() } });
    });
  }

  staleProcessingDatasets(before: Date, tenant?: string | null): Promise<string[]> {
    return this.run(async () => {
      const where = { status: 'processing', heartbeatAt: { lt: before }, ...(tenant !== undefined && { tenant }) };
      return (await this.db.dataset.findMany({ where, select: { id: true } })).map((r) => r.id);
    });
  }

  datasetUsage(tenant: string | null): Promise<{ count: number; bytes: number }> {
    return this.run(async () => {
      const { _count, _sum } = await this.db.dataset.aggregate({
        where: { tenant, status: { in: ['processing', 'ready'] } }, _count: { _all: true }, _sum: { bytes: true },
      });
      return { count: _count._all, bytes: Number(_sum.bytes ?? 0) };
    });
  }

  getDataset(id: string): Promise<DatasetRecord | null> {
    return this.run(async () => {
      const row = await this.db.dataset.findUnique({ where: { id } });
      return row && toDataset(row);
    });
  }

  listDatasets(filter: { tenant?: string }, page: PageRequest<TimeKey>): Promise<Page<DatasetRecord, TimeKey>> {
    const where = { ...(filter.tenant === undefined ? {} : { tenant: filter.tenant }), ...afterTime(page.after, 'asc') };
    return this.run(async () => toPage(
      (await this.db.dataset.findMany({ where, orderBy: byTime('asc'), take: takeFor(page) })).map(toDataset), page.limit, timeKey));
  }

  getDatasetData(id: string, split: 'train' | 'test'): Promise<DatasetBlobs | null> {
    return this.run(async () => {
      if (split === 'train') {
        const row = await this.db.datasetData.findUnique({ where: { datasetId: id }, select: { trainImages: true, trainLabels: true } });
        return row && { images: row.trainImages, labels: row.trainLabels };
      }
      const row = await this.db.datasetData.findUnique({ where: { datasetId: id }, select: { testImages: true, testLabels: true } });
      return row && { images: row.testImages, labels: row.testLabels };
    });
  }

  searchesUsing(id: string): Promise<string[]> {
    return this.run(() => searchesUsing(this.db, id));
  }

  deleteDataset(id: string): Promise<boolean> {
    return this.run(async () => {
      const [, { count }] = await this.db.$transaction([
        this.db.datasetData.deleteMany({ where: { datasetId: id } }),
        this.db.dataset.deleteMany({ where: { id } }),
      ]);
      return count > 0;
    });
  }

  deleteDatasetUnlessUsed(id: string): ReturnType<DatasetStore['deleteDatasetUnlessUsed']> {
    return this.run(() => this.db.$transaction(async (tx) => {
      // Locked before the check: a search created on it now either committed already (and is
      // seen below) or waits for this transaction and then finds the dataset gone.
      if (!(await this.lockRow(tx, id, 'update'))) return { outcome: 'not-found' as const };
      const searchIds = await searchesUsing(tx, id);
      if (searchIds.length > 0) return { outcome: 'in-use' as const, searchIds };
      await tx.datasetData.deleteMany({ where: { datasetId: id } });
      await tx.dataset.deleteMany({ where: { id } });
      return { outcome: 'deleted' as const };
    }));
  }
}

/** Unfinished searches that train on the dataset (see DatasetStore.searchesUsing). */
async function searchesUsing(db: Pick<DbClient, 'search'>, id: string): Promise<string[]> {
  // The dataset id sits inside the spec's JSON, which the two providers filter differently;
  // unfinished searches are few, so they are filtered here. A finished search still reads its
  // dataset while a retrain of it waits or runs.
  const rows = await db.search.findMany({
    where: { OR: [{ status: { in: [...ACTIVE] } }, { trials: { some: { status: { in: [...UNFINISHED_TRIAL] } } } }] },
    select: { id: true, spec: true },
  });
  return rows.filter((r) => (r.spec as { dataset?: { id?: unknown } } | null)?.dataset?.id === id).map((r) => r.id);
}

function toDataset(row: Dataset): DatasetRecord {
  const { id, tenant, name, numClasses, trainSize, testSize, pixelMax, createdAt, heartbeatAt } = row;
  return {
    id, tenant, name, format: row.format as DatasetFormat, inputShape: row.inputShape as DatasetRecord['inputShape'],
    numClasses, labels: row.labels as string[], trainSize, testSize, pixelMax, createdAt,
    status: row.status as DatasetStatus, error: row.error as DatasetFailure | null, bytes: Number(row.bytes), heartbeatAt,
  };
}
