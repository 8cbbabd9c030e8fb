// Use cases on datasets: upload (parse, validate, store), list, describe, delete; and the dataset
// source searches and workers read: built-ins from disk, uploads from the database. `tenant`, where
// given, scopes uploads as searches are scoped: another tenant's dataset is not found, exactly like
// one that does not exist; the built-ins belong to everyone.
import { randomUUID } from 'node:crypto';
import type { DatasetImages, DatasetSource } from '../domain/dataset-source.js';
import { DATASETS, datasetInfo, type DatasetFormat, type DatasetInfo } from '../domain/datasets.js';
import { ConflictError, NotFoundError, TrainingError } from '../domain/errors.js';
import { BuiltinDatasets } from '../datasets/builtin.js';
import { parseUpload, type UploadFields } from '../datasets/upload.js';
import type { DatasetRecord, DatasetStore } from '../ports/dataset-store.js';
import type { DatasetView } from '../schemas/dataset-schemas.js';
import { decodeTimeCursor, encodeTimeCursor, pageRequest, type PageQuery, type PageView } from './page-cursor.js';


export interface DatasetServiceOptions {
  /** Where the built-in datasets' files are (DATASET_DIR). */
  datasetDir: string;
  /** DATASET_MAX_BYTES: the most an upload may send, and the most its pixels may take once decoded. */
  maxBytes: number;
}

const NO_DATA = { images: new Uint8Array(0), labels: new Uint8Array(0) };

export class DatasetService implements DatasetSource {
  private readonly builtins: BuiltinDatasets;

  constructor(private readonly store: DatasetStore, readonly opts: DatasetServiceOptions) {
    this.builtins = new BuiltinDatasets(opts.datasetDir);
  }

  async create(fields: UploadFields, files: Map<string, Uint8Array>, tenant?: string): Promise<DatasetView> {
    const parsed = await parseUpload(fields, files, this.opts.maxBytes);
    const { train, test } = parsed;
    const record = await this.store.createDataset({
      id: randomUUID(), tenant: tenant ?? null, name: fields.name, format: fields.format,
      inputShape: [train.height, train.width, train.channels], numClasses: parsed.labels.length, labels: parsed.labels,
      trainSize: train.count, testSize: test?.count ?? 0, pixelMax: parsed.pixelMax,
    }, { train, test: test ?? NO_DATA });
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
    const all = [...builtins, ...uploads.items.map((r) => ({ key: { createdAt: r.createdAt, id: r.id }, view: uploadedView(r) }))];
    const items = all.slice(0, page.limit);
    const more = all.length > page.limit || uploads.next !== null;
    return { items: items.map((i) => i.view), nextCursor: more ? encodeTimeCursor(items[items.length - 1].key) : null };
  }

  async get(id: string, tenant?: string): Promise<DatasetView> {
    const builtin = datasetInfo(id);
    return builtin ? builtinView(builtin) : uploadedView(await this.require(id, tenant));
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
  }

  async info(id: string, tenant?: string): Promise<DatasetInfo | undefined> {
    const builtin = datasetInfo(id);
    if (builtin) return builtin;
    const record = await this.store.getDataset(id);
    if (!record || (tenant !== undefined && record.tenant !== tenant)) return undefined;
    const { inputShape, numClasses, labels, trainSize, testSize, pixelMax } = record;
    return { id, inputShape, numClasses, labels, trainSize, testSize, pixelMax };
  }

  async load(id: string, limit?: number): Promise<DatasetImages> {
    if (datasetInfo(id)) return this.builtins.load(id, limit);
    const record = await this.store.getDataset(id);
    const data = record && await this.store.getDatasetData(id, 'train');
    // Searches cannot be created on a missing dataset, nor may one be deleted under a running search.
    if (!record || !data) throw new TrainingError(`dataset '${id}' does not exist (it was deleted)`);
    const [height, width, channels] = record.inputShape;
    const count = limit === undefined ? record.trainSize : Math.min(limit, record.trainSize);
    const per = height * width * channels;
    return { images: data.images.subarray(0, count * per), labels: data.labels.subarray(0, count), count, height, width, channels };
  }

  private async require(id: string, tenant?: string): Promise<DatasetRecord> {
    const record = await this.store.getDataset(id);
    if (!record || (tenant !== undefined && record.tenant !== tenant)) throw new NotFoundError('dataset', id);
    return record;
  }
}

function builtinView(d: DatasetInfo): DatasetView {
  const { id, inputShape, numClasses, labels, trainSize, testSize, pixelMax } = d;
  return { id, name: id, format: 'idx', builtIn: true, inputShape, numClasses, labels, trainSize, testSize, pixelMax, createdAt: null };
}

function uploadedView(r: DatasetRecord): DatasetView {
  const { id, name, format, inputShape, numClasses, labels, trainSize, testSize, pixelMax } = r;
  return { id, name, format, builtIn: false, inputShape, numClasses, labels, trainSize, testSize, pixelMax, createdAt: r.createdAt.toISOString() };
}
