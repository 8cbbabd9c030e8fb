// The built-in datasets (src/domain/datasets.ts), read from the IDX files Debian's
// dataset-fashion-mnist package installs (DATASET_DIR). Every worker has them on disk.
import type { DatasetImages, DatasetSource } from '../domain/dataset-source.js';
import { datasetInfo, type DatasetInfo } from '../domain/datasets.js';
import { TrainingError } from '../domain/errors.js';
import { loadFashionMnist } from './fashion-mnist.js';

export class BuiltinDatasets implements DatasetSource {
  constructor(private readonly dir: string) {}

  async info(id: string): Promise<DatasetInfo | undefined> {
    return datasetInfo(id);
  }

  async load(id: string, limit?: number): Promise<DatasetImages> {
    if (id !== 'fashion-mnist') throw new TrainingError(`dataset '${id}' is not available on this worker`);
    return loadFashionMnist(this.dir, 'train', limit);
  }
}
