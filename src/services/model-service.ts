// The model registry: describes stored models and serves predictions, keeping recently used
// models loaded (an LRU) so a prediction does not reload weights from the database. A model
// belongs to its search's tenant: `tenant`, where given, hides every other tenant's models.
import { decodeImage, readImageHeader } from '../datasets/image.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { instancesToBatch } from '../domain/instances.js';
import { DecodedInstances } from '../domain/instances-json.js';
import type { JsonScanLimits } from '../domain/json-scan.js';
import type { ArtifactFormat } from '../domain/model-artifact.js';
import { trialEpochs } from '../domain/schedule.js';
import type { SearchSpec } from '../domain/search-spec.js';
import type { InferenceEngine, LoadedModel } from '../domain/training-port.js';
import type { ModelRecord } from '../ports/model-store.js';
import type { Store } from '../ports/store.js';
import type { Prediction } from '../schemas/model-schemas.js';
import { NO_BATCHING, PredictionBatcher, type BatchSettings } from './prediction-batcher.js';

/** One model a model descends from: its trial, the epochs it trained to, its objective value. */
export interface LineageEntry {
  modelId: string;
  trialId: string;
  epochs: number;
  value?: number;
}

/** Generations shown: a longer chain means a cycle or a runaway retrain loop, not history. */
const MAX_LINEAGE = 100;

/**
 * A loaded model, its batcher, and how many predictions use it now: eviction never disposes a
 * model in use. A request queued in the batcher is a user until answered, so a batch holds its model.
 */
interface CacheEntry {
  model: Promise<LoadedModel>;
  batcher: Promise<PredictionBatcher>;
  users: number;
  evicted: boolean;
}

const release = (e: CacheEntry) => { e.model.then((m) => m.dispose(), () => undefined); };

/** Model records remembered, with their search's tenant; both never change once written. */
const RECORDS_KEPT = 1000;

export class ModelService {
  private readonly cache = new Map<string, CacheEntry>();
  /**
   * A prediction's model record and tenant, without two database reads per request (the API's one
   * event loop runs every query's client side; under load those reads cost more than the pass).
   */
  private readonly records = new Map<string, { record: ModelRecord; tenant: string | undefined }>();

  constructor(
    private readonly store: Store,
    private readonly engine: InferenceEngine,
    /** `batch`: dynamic batching of concurrent predictions per model (default none); `onPass`: each forward pass's image count. */
    private readonly opts: { cacheSize: number; maxInstances: number; batch?: BatchSettings; onPass?: (images: number) => void },
  ) {}

  async get(id: string, tenant?: string) {
    const m = await this.require(id, tenant);
    return {
      id: m.id, searchId: m.searchId, trialId: m.trialId, createdAt: m.createdAt.toISOString(), ...m.summary,
      parentModelId: m.parentModelId, lineage: await this.lineage(m),
    };
  }

  /** The models this one continued training from (parentModelId, a retrain), newest first. */
  private async lineage(model: ModelRecord): Promise<LineageEntry[]> {
    const out: LineageEntry[] = [];
    const seen = new Set([model.id]); // stored data is not trusted to be acyclic
    const specs = new Map<string, SearchSpec | undefined>();
    for (let id = model.parentModelId; id && !seen.has(id) && out.length < MAX_LINEAGE; ) {
      seen.add(id);
      const parent = await this.store.getModel(id);
      if (!parent) break;
      const trial = await this.store.getTrial(parent.trialId);
      if (!specs.has(parent.searchId)) specs.set(parent.searchId, (await this.store.getSearch(parent.searchId))?.spec);
      const spec = specs.get(parent.searchId);
      const epochs = trial && spec ? trialEpochs(spec, trial) : parent.summary.metrics.epochs;
      out.push({ modelId: parent.id, trialId: parent.trialId, epochs, ...(trial?.value != null ? { value: trial.value } : {}) });
      id = parent.parentModelId;
    }
    return out;
  }

  /**
   * The model as a file another runtime loads (weights and all: zipped tfjs files, or ONNX), and a
   * download name safe in a header and on any file system; same 404s as get().
   */
  async archive(id: string, tenant?: string, format: ArtifactFormat = 'tfjs'): Promise<{ fileName: string; data: Uint8Array }> {
    const { summary: { dataset } } = await this.require(id, tenant);
    const a = await this.store.getModelArtifact(id);
    if (!a) throw new NotFoundError('model', id);
    const data = await this.engine.archive(a, format, { labels: dataset.labels, pixelMax: dataset.pixelMax, modelId: id });
    return { fileName: `model-${id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128)}.${format === 'onnx' ? 'onnx' : 'zip'}`, data };
  }

  /** `instances`: as the request sent them, or as decodeJson gave them. */
  async predict(id: string, instances: unknown, tenant?: string): Promise<Prediction[]> {
    const record = await this.require(id, tenant);
    const { inputShape, dataset } = record.summary;
    const batch = instances instanceof DecodedInstances ? instances.batch : instancesToBatch(instances, inputShape, dataset.pixelMax, this.opts.maxInstances);
    return this.classify(record, batch);
  }

  /**
   * A JSON predict body decoded by the engine off the event loop, as the body's `instances`;
   * undefined where the engine cannot, or where the HTTP layer's parser must judge the body.
   * Same 404s as predict(), before the body is looked at: the decode needs the model's input shape.
   */
  async decodeJson(id: string, bytes: Uint8Array, scan: JsonScanLimits, tenant?: string): Promise<DecodedInstances | undefined> {
    if (!this.engine.decodeInstances) return undefined;
    const { summary: { inputShape, dataset } } = await this.require(id, tenant);
    const decoded = await this.engine.decodeInstances(bytes, { inputShape, pixelMax: dataset.pixelMax, maxInstances: this.opts.maxInstances, scan });
    return 'batch' in decoded ? new DecodedInstances(decoded.batch, decoded.count) : undefined;
  }

  /**
   * A PNG or JPEG, converted as uploaded training images are (src/datasets/image.ts): resized to
   * the model's input, grayscale or RGB as it takes. Its bytes stand for the 0-255 range stored
   * pixels use, whatever the dataset's raw pixelMax.
   */
  async predictImage(id: string, image: Uint8Array, tenant?: string): Promise<Prediction[]> {
    const record = await this.require(id, tenant);
    const [height, width, channels] = record.summary.inputShape;
    if (channels !== 1 && channels !== 3) throw new ValidationError('image', `this model takes ${channels} channels; an image gives 1 (grayscale) or 3 (RGB)`);
    await readImageHeader(image, 'image');
    const pixels = await decodeImage(image, { height, width, channels }, 'image');
    return this.classify(record, Float32Array.from(pixels, (v) => v / 255));
  }

  /** One prediction per input of an already normalized batch. */
  private async classify(record: ModelRecord, batch: Float32Array): Promise<Prediction[]> {
    const { id, summary: { inputShape, dataset } } = record;
    const count = batch.length / inputShape.reduce((a, b) => a * b, 1);
    const probs = await this.withModel(id, (batcher) => batcher.predict(batch, count, inputShape));
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

  private async withModel<T>(id: string, use: (batcher: PredictionBatcher) => Promise<T>): Promise<T> {
    let entry = this.cache.get(id);
    if (entry) {
      this.cache.delete(id); // re-inserted below: Map order is our recency order
    } else {
      const model = this.store.getModelArtifact(id).then((a) => {
        if (!a) throw new NotFoundError('model', id);
        return this.engine.load(a);
      });
      const batcher = model.then((m) => new PredictionBatcher(m, this.opts.batch ?? NO_BATCHING, this.opts.onPass));
      const created: CacheEntry = { model, batcher, users: 0, evicted: false };
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
      return await use(await entry.batcher);
    } finally {
      entry.users--;
      if (entry.evicted && entry.users === 0) release(entry);
    }
  }

  private async require(id: string, tenant?: string): Promise<ModelRecord> {
    let known = this.records.get(id);
    if (known) {
      this.records.delete(id); // re-inserted below: Map order is our recency order
    } else {
      const record = await this.store.getModel(id);
      if (!record) throw new NotFoundError('model', id);
      known = { record, tenant: (await this.store.getSearchState(record.searchId))?.tenant ?? undefined };
      if (this.records.size >= RECORDS_KEPT) this.records.delete(this.records.keys().next().value!);
    }
    this.records.set(id, known);
    if (tenant !== undefined && known.tenant !== tenant) throw new NotFoundError('model', id);
    return known.record;
  }
}
