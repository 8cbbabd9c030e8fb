// The model registry: describes stored models and serves predictions, keeping recently used
// models loaded (an LRU) so a prediction does not reload weights from the database. A model
// belongs to its search's tenant: `tenant`, where given, hides every other tenant's models.
import { NotFoundError } from '../domain/errors.js';
import { instancesToBatch } from '../domain/instances.js';
import type { InferenceEngine, LoadedModel } from '../domain/training-port.js';
import type { ModelArtifact, ModelRecord, Store } from '../store/store.js';

export interface Prediction {
  classIndex: number;
  label: string;
  probabilities: number[];
}

/** A loaded model and how many predictions use it now: eviction never disposes a model in use. */
interface CacheEntry {
  model: Promise<LoadedModel>;
  users: number;
  evicted: boolean;
}

const release = (e: CacheEntry) => { e.model.then((m) => m.dispose(), () => undefined); };

export class ModelService {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly store: Store,
    private readonly engine: InferenceEngine,
    private readonly opts: { cacheSize: number; maxInstances: number },
  ) {}

  async get(id: string, tenant?: string) {
    const m = await this.require(id, tenant);
    return { id: m.id, searchId: m.searchId, trialId: m.trialId, createdAt: m.createdAt.toISOString(), ...m.summary };
  }

  /** The stored layers-format artifact (weights and all), for export; same 404s as get(). */
  async artifact(id: string, tenant?: string): Promise<ModelArtifact> {
    await this.require(id, tenant);
    const a = await this.store.getModelArtifact(id);
    if (!a) throw new NotFoundError('model', id);
    return a;
  }

  async predict(id: string, instances: unknown, tenant?: string): Promise<Prediction[]> {
    const record = await this.require(id, tenant);
    const { inputShape, dataset } = record.summary;
    const batch = instancesToBatch(instances, inputShape, dataset.pixelMax, this.opts.maxInstances);
    const count = batch.length / inputShape.reduce((a, b) => a * b, 1);
    const probs = await this.withModel(id, (model) => model.predict(batch, count, inputShape));
    const classes = probs.length / count;
    return Array.from({ length: count }, (_, i) => {
      const p = Array.from(probs.subarray(i * classes, (i + 1) * classes));
      const classIndex = p.indexOf(Math.max(...p));
      return { classIndex, label: dataset.labels[classIndex] ?? String(classIndex), probabilities: p };
    });
  }

  /** Releases every loaded model (shutdown). */
  async close(): Promise<void> {
    for (const e of this.cache.values()) release(e);
    this.cache.clear();
  }

  private async withModel<T>(id: string, use: (m: LoadedModel) => Promise<T>): Promise<T> {
    let entry = this.cache.get(id);
    if (entry) {
      this.cache.delete(id); // re-inserted below: Map order is our recency order
    } else {
      const model = this.store.getModelArtifact(id).then((a) => {
        if (!a) throw new NotFoundError('model', id);
        return this.engine.load(a);
      });
      const created: CacheEntry = { model, users: 0, evicted: false };
      model.catch(() => { if (this.cache.get(id) === created) this.cache.delete(id); });
      entry = created;
    }
    this.cache.set(id, entry);
    entry.users++;
    for (const [oldId, old] of this.cache) {
      if (this.cache.size <= this.opts.cacheSize) break;
      this.cache.delete(oldId);
      old.evicted = true;
      if (old.users === 0) release(old);
    }
    try {
      return await use(await entry.model);
    } finally {
      entry.users--;
      if (entry.evicted && entry.users === 0) release(entry);
    }
  }

  private async require(id: string, tenant?: string): Promise<ModelRecord> {
    const m = await this.store.getModel(id);
    if (!m) throw new NotFoundError('model', id);
    if (tenant !== undefined && (await this.store.getSearch(m.searchId))?.tenant !== tenant) throw new NotFoundError('model', id);
    return m;
  }
}
