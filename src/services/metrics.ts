// Prometheus metrics for GET /metrics, on a registry of our own (never prom-client's global one,
// so several apps in one process, as in the tests, do not collide). Process metrics come from
// prom-client's defaults; the service's own are:
// - hypertune_queue_jobs{state}: BullMQ job counts, read from Redis on each scrape;
// - hypertune_trials{status}: trials by state across all searches, read from the database;
// - hypertune_epochs_recorded{backend} and hypertune_training_samples_per_second{backend}: from the
//   stored epoch metrics joined with their trial's backend, aggregated here (see the gauges for why
//   gauges);
// - hypertune_prediction_duration_seconds{outcome}: a histogram observed around each prediction;
// - hypertune_prediction_batch_images: images per forward pass (dynamic batching merges requests).
// The database- and Redis-backed gauges are filled by collect() callbacks at scrape time, each
// under a short timeout: a slow or unreachable dependency leaves its gauges empty and sets
// hypertune_metrics_source_up{source} to 0, and the scrape still answers.
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { datasetInfo } from '../domain/datasets.js';
import { TRIAL_STATUSES } from '../domain/trial-state.js';
import type { EpochStore } from '../ports/epoch-store.js';
import type { SearchStore } from '../ports/search-store.js';

export interface MetricsSources {
  store: Pick<SearchStore, 'countTrialsByStatus'> & Pick<EpochStore, 'epochCountsByTrial' | 'recentTrainedTrials'>;
  queue: { counts(): Promise<Record<string, number>> };
}

export interface MetricsOptions {
  /** How long a scrape waits for the database or Redis; default 2 s. */
  sourceTimeoutMs?: number;
  /** Trials per backend whose epochs make up the samples/s figure; default 20. */
  recentTrials?: number;
  /** Default process metrics (CPU, memory, event loop...); default on. */
  defaultMetrics?: boolean;
}

type Outcome<T> = { ok: true; value: T } | { ok: false };

/** Predictions take milliseconds on a small CNN and seconds on a cold load of a large one. */
export const PREDICTION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Images in one pass: 1 without batching, up to PREDICT_BATCH_MAX (64) or a request's own count with it. */
export const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

export class Metrics {
  readonly registry = new Registry();
  private readonly predictionDuration: Histogram<'outcome'>;
  private readonly batchImages: Histogram;
  private readonly inFlight = new Map<string, Promise<Outcome<unknown>>>();
  private readonly timeoutMs: number;
  private readonly recentTrials: number;

  constructor(private readonly sources: MetricsSources, opts: MetricsOptions = {}) {
    this.timeoutMs = opts.sourceTimeoutMs ?? 2000;
    this.recentTrials = opts.recentTrials ?? 20;
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    const self = this;

    this.predictionDuration = new Histogram({
      name: 'hypertune_prediction_duration_seconds',
      help: 'Time to serve POST /models/:id/predict (model lookup, load on a cache miss, inference)',
      labelNames: ['outcome'],
      buckets: PREDICTION_BUCKETS,
      registers,
    });

    this.batchImages = new Histogram({
      name: 'hypertune_prediction_batch_images',
      help: 'Images per forward pass of a served model (concurrent predictions merged by dynamic batching)',
      buckets: BATCH_BUCKETS,
      registers,
    });

    new Gauge({
      name: 'hypertune_queue_jobs',
      help: 'Trial jobs in the BullMQ queue by state',
      labelNames: ['state'],
      registers,
      async collect() {
        const r = await self.load('queue', () => sources.queue.counts());
        this.reset();
        if (r.ok) for (const [state, n] of Object.entries(r.value)) this.set({ state }, n);
      },
    });

    new Gauge({
      name: 'hypertune_trials',
      help: 'Trials across all searches by status',
      labelNames: ['status'],
      registers,
      async collect() {
        const r = await self.load('trials', () => sources.store.countTrialsByStatus());
        this.reset();
        if (r.ok) for (const status of TRIAL_STATUSES) this.set({ status }, r.value[status] ?? 0);
      },
    });

    // Gauges, not counters, though epochs only accumulate in normal operation: training runs in
    // the worker processes, so this process sees no epoch happen and can only read the database
    // (the record) at scrape time; and a retried trial deletes the epochs it replays, so the
    // stored total can go down, which a counter must never do.
    new Gauge({
      name: 'hypertune_epochs_recorded',
      help: 'Epoch metrics stored, by the backend their trial trained on',
      labelNames: ['backend'],
      registers,
      async collect() {
        const r = await self.epochStats();
        this.reset();
        if (r.ok) for (const s of r.value) this.set({ backend: s.backend }, s.epochs);
      },
    });

    // Throughput as a weighted mean over each backend's most recent trials (total training samples
    // over total epoch time) rather than over all history, so it follows the hardware and load the
    // backend runs on now; a per-epoch mean would let a tiny epoch count as much as a large one.
    new Gauge({
      name: 'hypertune_training_samples_per_second',
      help: 'Training samples per second by backend, over the epochs of its most recently started trials',
      labelNames: ['backend'],
      registers,
      async collect() {
        const r = await self.epochStats();
        this.reset();
        if (!r.ok) return;
        for (const s of r.value) {
          const rate = samplesPerSecond(s);
          if (rate !== null) this.set({ backend: s.backend }, rate);
        }
      },
    });

    new Gauge({
      name: 'hypertune_metrics_source_up',
      help: 'Whether this scrape could read the source (1) or it failed or timed out (0)',
      labelNames: ['source'],
      registers,
      async collect() {
        const [queue, trials, epochs] = await Promise.all([
          self.load('queue', () => sources.queue.counts()),
          self.load('trials', () => sources.store.countTrialsByStatus()),
          self.epochStats(),
        ]);
        this.set({ source: 'redis' }, queue.ok ? 1 : 0);
        this.set({ source: 'database' }, trials.ok && epochs.ok ? 1 : 0);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; never waits longer than about the source timeout. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  /** One forward pass over `images` images (src/services/prediction-batcher.ts). */
  observeBatch(images: number): void {
    this.batchImages.observe(images);
  }

  /** Runs `fn`, timing it into the prediction histogram (outcome ok or error). */
  async timePrediction<T>(fn: () => Promise<T>): Promise<T> {
    const end = this.predictionDuration.startTimer();
    try {
      const result = await fn();
      end({ outcome: 'ok' });
      return result;
    } catch (err) {
      end({ outcome: 'error' });
      throw err;
    }
  }

  private epochStats(): Promise<Outcome<BackendEpochStats[]>> {
    return this.load('epochs', () => epochStatsByBackend(this.sources.store, this.recentTrials));
  }

  /**
   * One read per source per scrape: collect() callbacks run concurrently, so those asking while a
   * read is in flight share it. Never rejects; a failure or a timeout is { ok: false }.
   */
  private load<T>(key: string, read: () => Promise<T>): Promise<Outcome<T>> {
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<Outcome<T>>;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Outcome<T>>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false }), this.timeoutMs);
      timer.unref();
    });
    const attempt = Promise.resolve().then(read).then((value): Outcome<T> => ({ ok: true, value }), (): Outcome<T> => ({ ok: false }));
    const result = Promise.race([attempt, timeout]).finally(() => {
      clearTimeout(timer);
      this.inFlight.delete(key);
    });
    this.inFlight.set(key, result);
    return result;
  }
}

/** Per training backend: all its stored epochs, and the epochs of its `recentTrials` most recently started trials. */
interface BackendEpochStats {
  backend: string;
  epochs: number;
  recent: { dataset: { id: string; limit?: number }; validationSplit: number; epochDurationsMs: number[] }[];
}

async function epochStatsByBackend(store: MetricsSources['store'], recentTrials: number): Promise<BackendEpochStats[]> {
  // One small row per trial that trained, then the recent trials' epochs backend by backend.
  const totals = new Map<string, number>();
  for (const c of await store.epochCountsByTrial()) totals.set(c.backend, (totals.get(c.backend) ?? 0) + c.epochs);
  const stats: BackendEpochStats[] = [];
  for (const [backend, epochs] of totals) {
    const recent = (await store.recentTrainedTrials(backend, recentTrials)).map(({ spec, epochDurationsMs }) =>
      ({ dataset: spec.dataset, validationSplit: spec.training.validationSplit, epochDurationsMs }));
    stats.push({ backend, epochs, recent });
  }
  return stats;
}

/** Training samples over epoch time for the backend's recent trials; null when nothing measured. */
function samplesPerSecond(s: BackendEpochStats): number | null {
  let samples = 0;
  let ms = 0;
  for (const t of s.recent) {
    const limit = t.dataset.limit ?? datasetInfo(t.dataset.id)?.trainSize;
    if (limit === undefined) continue;
    const trainSize = Math.floor(limit * (1 - t.validationSplit)); // what fit() trains on each epoch
    for (const d of t.epochDurationsMs) {
      samples += trainSize;
      ms += d;
    }
  }
  return ms > 0 ? samples / (ms / 1000) : null;
}
