// What services and the training engine need to know of datasets, built-in or uploaded: their
// description for the rules (a catalog) and their pixels for training (a source). Implemented by
// src/services/dataset-service.ts (built-ins from disk, uploads from the database) and, for the
// built-ins alone, src/datasets/builtin.ts.
import { datasetInfo, type DatasetInfo } from './datasets.js';

/** Images and labels, row-major NHWC, one byte per pixel value and per label. */
export interface DatasetImages {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

export interface DatasetCatalog {
  /**
   * The dataset `id` as a search may name it; undefined when unknown. `tenant` given: another
   * tenant's upload is unknown too (built-ins belong to everyone); undefined: every dataset.
   */
  info(id: string, tenant?: string): Promise<DatasetInfo | undefined>;
}

export interface DatasetSource extends DatasetCatalog {
  /** The first `limit` training items (all by default); a TrainingError when the dataset is gone. */
  load(id: string, limit?: number): Promise<DatasetImages>;
}

/** The built-in datasets only: the default where nothing else is wired (tests, benchmarks). */
export const BUILTIN_CATALOG: DatasetCatalog = { info: async (id) => datasetInfo(id) };
