// A spare trial process (workers/trial-child.ts) waits with the dataset its worker's current trial
// trains on already in memory: consecutive trials of a search share their dataset and limit, so the
// next trial starts without reading and inflating it. Any other dataset is read as usual.
import type { DatasetImages, DatasetSource } from '../domain/dataset-source.js';
import type { DatasetInfo } from '../domain/datasets.js';

interface Loaded { id: string; limit: number | undefined; images: DatasetImages }

export class ReadAheadDatasets implements DatasetSource {
  private loaded: Loaded | null = null;

  /** `prepare`: more work on the set read ahead, done while waiting (the trial child scales its pixels: training/inputs.ts). */
  constructor(private readonly source: DatasetSource, private readonly prepare?: (images: DatasetImages) => void) {}

  /** Reads `id`'s first `limit` items now; a failure is only logged by the caller: the trial reads it again. */
  async readAhead(id: string, limit: number | undefined): Promise<void> {
    const images = await this.source.load(id, limit);
    this.prepare?.(images);
    this.loaded = { id, limit, images };
  }

  info(id: string, tenant?: string): Promise<DatasetInfo | undefined> {
    return this.source.info(id, tenant);
  }

  /** The copy read ahead, once (training copies the pixels into tensors; one trial per process). */
  async load(id: string, limit?: number): Promise<DatasetImages> {
    const loaded = this.loaded;
    this.loaded = null;
    if (loaded && loaded.id === id && loaded.limit === limit) return loaded.images;
    return this.source.load(id, limit);
  }
}
