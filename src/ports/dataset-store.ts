// The uploaded-datasets port. Uploaded datasets live in the database so every worker reads them
// where it reads trials; listing and describing them never loads their pixels.
import type { DatasetFormat, DatasetInfo } from '../domain/datasets.js';
import type { Page, PageRequest, TimeKey } from './page.js';

export interface DatasetRecord extends DatasetInfo {
  /** The tenant that uploaded it; null when uploaded with authentication off. */
  tenant: string | null;
  name: string;
  format: DatasetFormat;
  createdAt: Date;
}

/** Row-major NHWC pixels (one byte each) and one byte per label; the test split may be empty. */
export interface DatasetBlobs {
  images: Uint8Array;
  labels: Uint8Array;
}

export interface DatasetStore {
  createDataset(record: Omit<DatasetRecord, 'createdAt'>, data: { train: DatasetBlobs; test: DatasetBlobs }): Promise<DatasetRecord>;
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
