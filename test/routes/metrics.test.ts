// GET /metrics on a real harness (real database, real Redis): the Prometheus text is parsed into
// samples, and the trials, epochs, throughput, queue and prediction-latency figures checked.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/services/metrics.js';
import type { TrialStatus } from '../../src/domain/trial-state.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { postgresAvailable, startHarness, type Harness } from '../helpers/harness.js';
import { saveUntrainedModel } from '../helpers/untrained-model.js';

interface Sample { name: string; labels: Record<string, string>; value: number }

/** The exposition format's sample lines: `name{label="value",...} number`; comments skipped. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1], labels, value: m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]) });
  }
  return samples;
}

/** The one sample of `name` with these labels (others ignored); undefined when absent. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

const img = () => Array.from({ length: 28 }, () => Array.from({ length: 28 }, () => 0));
const usePg = await postgresAvailable();

describe.each([['sqlite'], ['postgres']] as const)('GET /metrics on %s', (db) => {
  let h: Harness;
  let modelId: string;

  beforeAll(async () => {
    if (db === 'postgres' && !usePg) return;
    h = await startHarness(db);
    // One trial scheduled (and enqueued) by the service, four more committed straight to the store.
    const search = await h.core.searches.create(tinySearch({ budget: { maxTrials: 5, maxParallelTrials: 1 } }));
    const [first] = await h.core.store.listTrials(search.id);
    const version = (await h.core.store.getSearch(search.id))!.version;
    const more = [2, 3, 4, 5].map((n) => ({ id: randomUUID(), number: first.number + n - 1, hyperparameters: first.hyperparameters }));
    expect(await h.core.store.commitSchedule(search.id, version, {}, more)).toBe(true);
    const ids = [first.id, ...more.map((t) => t.id)];
    const set = async (i: number, status: TrialStatus, backend: string | null) =>
      expect(await h.core.store.updateTrialIf(ids[i], ['waiting'], { status, backend })).toBe(true);
    await set(0, 'running', 'wasm');
    await set(1, 'completed', 'wasm');
    await set(2, 'completed', 'cpu');
    await set(3, 'failed', null);
    // ids[4] stays waiting. Epochs: 1800 training images each (limit 2000, validationSplit 0.1).
    const epoch = (trialId: string, n: number, durationMs: number) =>
      h.core.store.recordEpoch({ trialId, epoch: n, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5, durationMs });
    await epoch(ids[0], 1, 1000);
    await epoch(ids[1], 1, 1000);
    await epoch(ids[1], 2, 1000);
    await epoch(ids[2], 1, 500);
    modelId = await saveUntrainedModel(h.core.store, search.id);
  }, 60_000);
  afterAll(async () => { await h?.close(); });

  it('counts trials by state, epochs and samples/s by backend, and queued jobs', async (ctx) => {
    if (db === 'postgres' && !usePg) ctx.skip();
    const res = await h.request.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = parseMetrics(res.text);
    const trials = Object.fromEntries(s.filter((x) => x.name === 'hypertune_trials').map((x) => [x.labels.status, x.value]));
    expect(trials).toEqual({ waiting: 1, running: 1, completed: 2, pruned: 0, failed: 1, cancelled: 0 });
    expect(valueOf(s, 'hypertune_epochs_recorded', { backend: 'wasm' })).toBe(3);
    expect(valueOf(s, 'hypertune_epochs_recorded', { backend: 'cpu' })).toBe(1);
    expect(valueOf(s, 'hypertune_training_samples_per_second', { backend: 'wasm' })).toBeCloseTo(1800, 6); // 3 x 1800 in 3 s
    expect(valueOf(s, 'hypertune_training_samples_per_second', { backend: 'cpu' })).toBeCloseTo(3600, 6); // 1800 in 0.5 s
    expect(valueOf(s, 'hypertune_queue_jobs', { state: 'waiting' })).toBe(1); // the service enqueued its trial; no worker runs
    expect(valueOf(s, 'hypertune_metrics_source_up', { source: 'database' })).toBe(1);
    expect(valueOf(s, 'hypertune_metrics_source_up', { source: 'redis' })).toBe(1);
    expect(valueOf(s, 'process_resident_memory_bytes')).toBeGreaterThan(0); // prom-client's defaults
  });

  it('times predictions into hypertune_prediction_duration_seconds', async (ctx) => {
    if (db === 'postgres' && !usePg) ctx.skip();
    for (let i = 0; i < 2; i++) await h.request.post(`/models/${modelId}/predict`).send({ instances: [img()] }).expect(200);
    await h.request.post('/models/nope/predict').send({ instances: [img()] }).expect(404);
    const s = parseMetrics((await h.request.get('/metrics').expect(200)).text);
    const name = 'hypertune_prediction_duration_seconds';
    expect(valueOf(s, `${name}_count`, { outcome: 'ok' })).toBe(2);
    expect(valueOf(s, `${name}_count`, { outcome: 'error' })).toBe(1);
    expect(valueOf(s, `${name}_sum`, { outcome: 'ok' })).toBeGreaterThan(0);
    expect(valueOf(s, `${name}_bucket`, { outcome: 'ok', le: '+Inf' })).toBe(2);
    const buckets = s.filter((x) => x.name === `${name}_bucket` && x.labels.outcome === 'ok');
    expect(buckets.map((b) => b.labels.le)).toEqual(['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf']);
    expect(buckets.map((b) => b.value)).toEqual([...buckets.map((b) => b.value)].sort((a, b) => a - b)); // cumulative
  });
});

describe('GET /metrics with authentication and rate limits on', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite', { ADMIN_API_KEY: `admin-key-${'a'.repeat(32)}`, RATE_LIMIT_PREDICT_PER_MINUTE: '1', RATE_LIMIT_SEARCHES_PER_MINUTE: '1' });
  });
  afterAll(async () => { await h?.close(); });

  it('needs no API key and is never rate limited', async () => {
    await h.request.get('/searches').expect(401);
    for (let i = 0; i < 5; i++) {
      const res = await h.request.get('/metrics').expect(200);
      expect(res.headers).not.toHaveProperty('x-ratelimit-limit');
      expect(valueOf(parseMetrics(res.text), 'hypertune_trials', { status: 'waiting' })).toBe(0);
    }
  });
});

describe('a scrape while a source hangs or fails', () => {
  it('answers within the timeout, with those gauges empty and the source marked down', async () => {
    const never = () => new Promise<never>(() => undefined);
    const metrics = new Metrics(
      { store: { countTrialsByStatus: never, epochCountsByTrial: never, recentTrainedTrials: never }, queue: { counts: () => Promise.reject(new Error('redis down')) } },
      { sourceTimeoutMs: 100, defaultMetrics: false },
    );
    const started = Date.now();
    const s = parseMetrics(await metrics.scrape());
    expect(Date.now() - started).toBeLessThan(1000);
    expect(s.filter((x) => ['hypertune_trials', 'hypertune_queue_jobs', 'hypertune_epochs_recorded'].includes(x.name))).toEqual([]);
    expect(valueOf(s, 'hypertune_metrics_source_up', { source: 'database' })).toBe(0);
    expect(valueOf(s, 'hypertune_metrics_source_up', { source: 'redis' })).toBe(0);
  });
});
