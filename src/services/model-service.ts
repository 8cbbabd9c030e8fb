// The model registry: describes stored models and serves predictions, keeping recently used
// models loaded (an LRU) so a prediction does not reload weights from the database.
import { NotFoundError } from '../domain/errors.js';
import { instancesToBatch } from '../domain/instances.js';
import type { InferenceEngine, LoadedModel } from '../domain/training-port.js';
import type { ModelRecord, Store } from '../store/store.js';

export interface Prediction {
  classIndex: number;
  label: string;
  probabilities: number[];
}

export class ModelService {
  private readonly cache = new Map<string, Promise<LoadedModel>>();

  constructor(
    private readonly store: Store,
    private readonly engine: InferenceEngine,
    private readonly opts: { cacheSize: number; maxInstances: number },
  ) {}

  async get(id: string) {
    const m = await this.require(id);
    return { id: m.id, searchId: m.searchId, trialId: m.trialId, createdAt: m.createdAt.toISOString(), ...m.summary };
  }

  async predict(id: string, instances: unknown): Promise<Prediction[]> {
    const record = await this.require(id);
    const { inputShape, dataset } = record.summary;
    const batch = instancesToBatch(instances, inputShape, dataset.pixelMax, this.opts.maxInstances);
    const count = batch.length / inputShape.reduce((a, b) => a * b, 1);
    const model = await this.load(id);
    const probs = await model.predict(batch, count, inputShape);
    const classes = probs.length / count;
    return Array.from({ length: count }, (_, i) => {
      const p = Array.from(probs.subarray(i * classes, (i + 1) * classes));
      const classIndex = p.indexOf(Math.max(...p));
      return { classIndex, label: dataset.labels[classIndex] ?? String(classIndex), probabilities: p };
    });
  }

  /** Releases every loaded model (shutdown). */
  async close(): Promise<void> {
    const loaded = [...this.cache.values()];
    this.cache.clear();
    for (const p of loaded) (await p.catch(() => null))?.dispose();
  }

  private async load(id: string): Promise<LoadedModel> {
    let entry = this.cache.get(id);
    if (entry) {
      this.cache.delete(id); // re-insert: Map order is our recency order
    } else {
      entry = this.store.getModelArtifact(id).then((a) => {
        if (!a) throw new NotFoundError('model', id);
        return this.engine.load(a);
      });
      entry.catch(() => this.cache.delete(id));
    }
    this.cache.set(id, entry);
    while (this.cache.size > this.opts.cacheSize) {
      const [oldest, evicted] = this.cache.entries().next().value!;
      this.cache.delete(oldest);
      evicted.then((m) => m.dispose(), () => undefined);
    }
    return entry;
  }

  private async require(id: string): Promise<ModelRecord> {
    const m = await this.store.getModel(id);
    if (!m) throw new NotFoundError('model', id);
    return m;
  }
}
