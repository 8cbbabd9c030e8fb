// Use cases on datasets: upload (check the form and quotas, then hand the files to the decoding
// process), list, describe, delete; and the dataset source searches and workers read: built-ins
// from disk, uploads from the database. `tenant`, where given, scopes uploads as searches are
// scoped: another tenant's dataset is not found, exactly like one that does not exist; the
// built-ins belong to everyone.
import type { DatasetImages, DatasetSource } from '../domain/dataset-source.js';
import { DATASETS, datasetInfo, type DatasetInfo, type UploadFields } from '../domain/datasets.js';
import { ConflictError, NotFoundError, QuotaExceededError, TrainingError } from '../domain/errors.js';
import { BuiltinDatasets } from '../datasets/builtin.js';
import { checkUploadForm } from '../datasets/upload-form.js';
import type { DatasetProcessor } from '../ports/dataset-processor.js';
import type { DatasetRecord, DatasetStore } from '../ports/dataset-store.js';
import type { DatasetView } from '../schemas/dataset-schemas.js';
import { decodeTimeCursor, encodeTimeCursor, pageRequest, type PageQuery, type PageView } from './page-cursor.js';
import { failIfStale, failStaleUploads, STALE_MESSAGE, staleBefore, sweepUploads } from './upload-sweep.js';


/** POST /datasets' files, already on disk (src/routes/multipart-upload.ts). */
export interface StoredUpload {
  /** Becomes the dataset's id. */
  id: string;
  files: Map<string, { path: string; bytes: number }>;
}


export interface DatasetServiceOptions {
  /** Where the built-in datasets' files are (DATASET_DIR). */
  datasetDir: string;
  /** DATASET_MAX_BYTES: the most an upload may send, and the most its pixels may take once decoded. */
  maxBytes: number;
  /** DATASET_UPLOAD_DIR: where uploads wait for their decoding (the API's only). */
  uploadDir?: string;
  /** Per tenant, over its processing and ready uploads; 0: no limit. */
  quotas?: { count: number; bytes: number };
}

/** A process that only reads datasets (a trial child) takes no uploads. */
const NO_UPLOADS: DatasetProcessor = {
  start: () => { throw new Error('this process does not decode uploads'); },
  discard: async () => undefined,
  uploads: async () => [],
};

export class DatasetService implements DatasetSource {
  private readonly builtins: BuiltinDatasets;

  constructor(private readonly store: DatasetStore, readonly opts: DatasetServiceOptions, private readonly processor: DatasetProcessor = NO_UPLOADS) {
    this.builtins = new BuiltinDatasets(opts.datasetDir);
  }

  /** DATASET_QUOTA_COUNT, checked before the files are read. */
  async checkCountQuota(tenant?: string): Promise<void> {
    const limit = this.opts.quotas?.count ?? 0;
    if (limit === 0) return;
    await failStaleUploads(this.store, this.processor, tenant ?? null);
    const { count } = await this.store.datasetUsage(tenant ?? null);
    if (count >= limit) throw new QuotaExceededError('datasets', limit, count, 'DATASET_QUOTA_COUNT');
  }

  /** Stores a 'processing' dataset and queues its decoding; GET /datasets/:id tells how it ends. */
  async create(fields: UploadFields, upload: StoredUpload, tenant?: string): Promise<DatasetView> {
    const sizes = new Map([...upload.files].map(([field, f]) => [field, f.bytes]));
    checkUploadForm(fields, sizes);
    const bytes = [...sizes.values()].reduce((a, b) => a + b, 0);
    const { count: countLimit, bytes: bytesLimit } = this.opts.quotas ?? { count: 0, bytes: 0 };
    if (countLimit > 0 || bytesLimit > 0) {
      await failStaleUploads(this.store, this.processor, tenant ?? null);
      // Concurrent uploads may overshoot by the few checked at once; the rate limit bounds those.
      const used = await this.store.datasetUsage(tenant ?? null);
      if (countLimit > 0 && used.count >= countLimit) throw new QuotaExceededError('datasets', countLimit, used.count, 'DATASET_QUOTA_COUNT');
      if (bytesLimit > 0 && used.bytes + bytes > bytesLimit)
        throw new QuotaExceededError(`dataset bytes (this upload: ${bytes})`, bytesLimit, used.bytes, 'DATASET_QUOTA_BYTES');
    }
    const record = await this.store.createProcessingDataset({ id: upload.id, tenant: tenant ?? null, name: fields.name, format: fields.format, bytes });
    this.processor.start({ id: upload.id, fields, files: [...upload.files].map(([field, f]) => ({ field, path: f.path })) });
    return uploadedView(record);
  }

  /**
   * A page of the built-ins, then the uploads oldest first. The built-ins sort as if created at
   * time 0 (by id), so one keyset order, and one cursor, runs through both.
   */
  async list(query: PageQuery, tenant?: string): Promise<PageView<DatasetView>> {
    const page = pageRequest(query, decodeTimeCursor);
    const after = page.after;
    const builtins = Object.values(DATASETS).map((d) => ({ key: { createdAt: new Date(0), id: d.id }, view: builtinView(d) }))
      .filter(({ key }) => !after || key.createdAt > after.createdAt || (key.createdAt.getTime() === after.createdAt.getTime() && key.id > after.id))
      .sort((a, b) => (a.key.id < b.key.id ? -1 : 1));
    const uploads = await this.store.listDatasets({ tenant }, page);
    const records = await Promise.all(uploads.items.map((r) => this.unlessStale(r)));
    const all = [...builtins, ...records.map((r) => ({ key: { createdAt: r.createdAt, id: r.id }, view: uploadedView(r) }))];
    const items = all.slice(0, page.limit);
    const more = all.length > page.limit || uploads.next !== null;
    return { items: items.map((i) => i.view), nextCursor: more ? encodeTimeCursor(items[items.length - 1].key) : null };
  }

  async get(id: string, tenant?: string): Promise<DatasetView> {
    const builtin = datasetInfo(id);
    return builtin ? builtinView(builtin) : uploadedView(await this.unlessStale(await this.require(id, tenant)));
  }

  /** Refused while a search, or a retrain of a finished one, trains on it; finished searches' models keep their labels. */
  async delete(id: string, tenant?: string): Promise<void> {
    if (datasetInfo(id)) throw new ConflictError(`dataset '${id}' is built in and cannot be deleted`);
    await this.require(id, tenant);
    // Checked and deleted in one transaction on its row: a search created meanwhile is either seen or refused.
    const result = await this.store.deleteDatasetUnlessUsed(id);
    if (result.outcome === 'not-found') throw new NotFoundError('dataset', id);
    if (result.outcome === 'in-use') {
      const using = result.searchIds;
      throw new ConflictError(`dataset '${id}' is used by search(es) ${using.join(', ')} still training: cancel them or wait until they finish`, { searchIds: using });
    }
    // A processing one's decoding finds its row gone and stores nothing (completeDataset).
  }

  async info(id: string, tenant?: string): Promise<DatasetInfo | undefined> {
    const builtin = datasetInfo(id);
    if (builtin) return builtin;
    const record = await this.store.getDataset(id);
    if (!record || (tenant !== undefined && record.tenant !== tenant)) return undefined;
    if (record.status !== 'ready') {
      const { status } = await this.unlessStale(record);
      throw new ConflictError(`dataset '${id}' is ${status}, not ready${status === 'processing' ? ': wait until GET /datasets/:id says ready' : ''}`, { field: 'dataset.id', status });
    }
    const { inputShape, numClasses, labels, trainSize, testSize, pixelMax } = record;
    return { id, inputShape, numClasses, labels, trainSize, testSize, pixelMax };
  }

  async load(id: string, limit?: number): Promise<DatasetImages> {
    if (datasetInfo(id)) return this.builtins.load(id, limit);
    const record = await this.store.getDataset(id);
    const data = record && await this.store.getDatasetData(id, 'train');
    // Searches cannot be created on a missing dataset, nor may one be deleted under a running search.
    if (!record || !data) throw new TrainingError(`dataset '${id}' does not exist (it was deleted)${record ? ` or is ${record.status}` : ''}`);
    if (record.status !== 'ready') throw new TrainingError(`dataset '${id}' is ${record.status}, not ready`);
    const [height, width, channels] = record.inputShape;
    const count = limit === undefined ? record.trainSize : Math.min(limit, record.trainSize);
    const per = height * width * channels;
    return { images: data.images.subarray(0, count * per), labels: data.labels.subarray(0, count), count, height, width, channels };
  }

  /** At the API's start: what a dead process left of uploads (see upload-sweep.ts). */
  sweep(): Promise<{ failed: string[]; removed: string[] }> {
    return sweepUploads(this.store, this.processor);
  }

  /** A processing record whose decoding stopped beating is failed (and its files removed) as it is read. */
  private async unlessStale(r: DatasetRecord): Promise<DatasetRecord> {
    const before = staleBefore(new Date());
    if (r.status !== 'processing' || (r.heartbeatAt && r.heartbeatAt >= before)) return r;
    await failIfStale(this.store, this.processor, r.id, before);
    return (await this.store.getDataset(r.id)) ?? { ...r, status: 'failed', error: { field: null, message: STALE_MESSAGE }, bytes: 0, heartbeatAt: null };
  }

  private async require(id: string, tenant?: string): Promise<DatasetRecord> {
    const record = await this.store.getDataset(id);
    if (!record || (tenant !== undefined && record.tenant !== tenant)) throw new NotFoundError('dataset', id);
    return record;
  }
}

function builtinView(d: DatasetInfo): DatasetView {
  const { id, inputShape, numClasses, labels, trainSize, testSize, pixelMax } = d;
  return { id, name: id, format: 'idx', builtIn: true, status: 'ready', inputShape, numClasses, labels, trainSize, testSize, pixelMax, createdAt: null };
}

function uploadedView(r: DatasetRecord): DatasetView {
  const { id, name, format, status, inputShape, numClasses, labels, trainSize, testSize, pixelMax, bytes } = r;
  return {
    id, name, format, builtIn: false, status, ...(r.error && { error: r.error }), bytes,
    inputShape, numClasses, labels, trainSize, testSize, pixelMax, createdAt: r.createdAt.toISOString(),
  };
}
