// The uploaded-datasets port. Uploaded datasets live in the database so every worker reads them
// where it reads trials; listing and describing them never loads their pixels.
import type { DatasetFormat, DatasetInfo } from '../domain/datasets.js';
import type { Page, PageRequest, TimeKey } from './page.js';

/** Uploads are decoded off the API's loop: 'processing' until the decoding process is done. */
export type DatasetStatus = 'processing' | 'ready' | 'failed';

/** Why an upload failed: the form field at fault (null when none is, e.g. a size limit) and what is wrong. */
export interface DatasetFailure {
  field: string | null;
  message: string;
}

export interface DatasetRecord extends DatasetInfo {
  /** The tenant that uploaded it; null when uploaded with authentication off. */
  tenant: string | null;
  name: string;
  format: DatasetFormat;
  createdAt: Date;
  status: DatasetStatus;
  error: DatasetFailure | null;
  /** The uploaded files' bytes while processing; the decoded data's once ready (0 once failed). */
  bytes: number;
  /** Last sign of life from the decoding process (null once it is done). */
  heartbeatAt: Date | null;
}

/** What a finished decode sets on its row. */
export type DecodedDataset = Pick<DatasetRecord, 'inputShape' | 'numClasses' | 'labels' | 'trainSize' | 'testSize' | 'pixelMax' | 'bytes'>;

/** Row-major NHWC pixels (one byte each) and one byte per label; the test split may be empty. */
export interface DatasetBlobs {
  images: Uint8Array;
  labels: Uint8Array;
}

export interface DatasetStore {
  /** A ready dataset, metadata and data at once. */
  createDataset(record: Omit<DatasetRecord, 'createdAt' | 'status' | 'error' | 'bytes' | 'heartbeatAt'>, data: { train: DatasetBlobs; test: DatasetBlobs }): Promise<DatasetRecord>;
  /** A 'processing' row for an upload still to be decoded (empty shape and classes until then). */
  createProcessingDataset(record: Pick<DatasetRecord, 'id' | 'tenant' | 'name' | 'format' | 'bytes'> & { heartbeatAt?: Date }): Promise<DatasetRecord>;
  /** Stores the decoded data and marks it ready; false when it is no longer processing (deleted, or failed as stale). */
  completeDataset(id: string, decoded: DecodedDataset, data: { train: DatasetBlobs; test: DatasetBlobs }): Promise<boolean>;
  /** Marks a processing dataset failed; `staleBefore` given: only if its heartbeat is older. False when nothing changed. */
  failDataset(id: string, error: DatasetFailure, staleBefore?: Date): Promise<boolean>;
  heartbeatDataset(id: string): Promise<void>;
  /** Ids of the processing datasets whose heartbeat is older than `before`: of one tenant (null: no tenant's), or of all when undefined. */
  staleProcessingDatasets(before: Date, tenant?: string | null): Promise<string[]>;
  /** The tenant's datasets that count against its quotas (processing or ready) and their bytes. */
  datasetUsage(tenant: string | null): Promise<{ count: number; bytes: number }>;
  getDataset(id: string): Promise<DatasetRecord | null>;
  /** A page, oldest first (createdAt, then id); `tenant` given: that tenant's only. */
  listDatasets(filter: { tenant?: string }, page: PageRequest<TimeKey>): Promise<Page<DatasetRecord, TimeKey>>;
  /** One split's pixels and labels; null when the dataset does not exist. */
  getDatasetData(id: string, split: 'train' | 'test'): Promise<DatasetBlobs | null>;
  /** Searches not finished yet (queued or running) that train on this dataset. */
  searchesUsing(id: string): Promise<string[]>;
  /** False when there was no such dataset. */
  deleteDataset(id: string): Promise<boolean>;
  /**
   * Deletes the dataset unless an unfinished search uses it (see searchesUsing), checked and done
   * in one transaction on the dataset's row, so no search can be created on it in between.
   */
  deleteDatasetUnlessUsed(id: string): Promise<{ outcome: 'deleted' | 'not-found' } | { outcome: 'in-use'; searchIds: string[] }>;
}
