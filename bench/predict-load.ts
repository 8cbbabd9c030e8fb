// npm run bench:predict -- [--duration 60] [--connections 64] [--instances 1,16] [--backend auto] [--limit 500] [--compare [--repeats 3]] [--reference]
// Prediction under load, over loopback: starts the service (API + one worker, fresh SQLite
// database), trains a served model with a tiny real search through the API (one trial, one epoch,
// `--limit` images, the notebook's layer shape with 8 filters), stops the worker, then runs
// `--connections` concurrent autocannon clients for `--duration` seconds per instance count against
// POST /models/:id/predict with real Fashion-MNIST test images (28x28, raw pixels). Reports
// requests/s, p50/p99 latency, errors and non-2xx answers (any of them fails the bench), and the
// API process's RSS read from /proc every second: first 10 s against last 10 s of each run.
// `--compare`: instead, predictions on the event loop (batching off, on) against the inference pool
// (single-image and 64-image requests), interleaved, `--repeats` runs each, with the first instance
// count (bench/predict-batching.ts). `--reference`: the served model has the
// notebook's best configuration (conv 64 → conv 48 → dense 48, 1,355,978 params) instead of 8/8/16.
import autocannon from 'autocannon';
import { parseArgs } from 'node:util';
import { loadFashionMnist } from '../src/datasets/fashion-mnist.js';
import { CpuMeter } from './cpu.js';
import { compareBatching } from './predict-batching.js';
import { load, machine } from './machine.js';
import { RssSampler, type RssSample } from './memory.js';
import { startService, waitForSearches } from './service.js';
import { smallSearch } from './small-search.js';
import { mean, mib } from './stats.js';
import { imageRows } from '../test/fixtures/instances.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    connections: { type: 'string', default: '64' },
    instances: { type: 'string', default: '1,16' },
    backend: { type: 'string', default: 'auto' },
    limit: { type: 'string', default: '500' },
    compare: { type: 'boolean', default: false },
    repeats: { type: 'string', default: '3' },
    reference: { type: 'boolean', default: false },
  },
});
const duration = Number(args.duration);
const connections = Number(args.connections);
const sizes = args.instances.split(',').map(Number);

console.log(`machine: ${machine()}; load averages ${load()}`);
const service = await startService({ name: 'predict', workers: 1, backend: args.backend });
const failures: string[] = [];
const rows: string[] = [];
try {
  const { id: searchId } = await service.call('POST', '/searches', smallSearch({ name: 'predict-load', limit: Number(args.limit), maxTrials: 1, ...(args.reference ? { convFilters: [64, 48] as [number, number], units: [48] } : {}) }));
  const [search] = await waitForSearches(service, [searchId], 300_000);
  if (search.status !== 'completed' || !search.bestModelId) throw new Error(`the model's search ended ${search.status}: ${search.error}`);
  const model = await service.call('GET', `/models/${search.bestModelId}`);
  const health = await service.call('GET', '/health');
  console.log(`model ${model.id}: ${model.layers.map((l: { type: string }) => l.type).join(' → ')}, ${model.totalParams} params, ` +
    `val_accuracy ${model.metrics.valAccuracy?.toFixed(3)}; predictions on ${health.inferenceBackend.name} (${health.inferenceBackend.detail})`);
  await service.stopWorkers(); // the worker sits idle from here; only the API serves

  const test = loadFashionMnist(process.env.DATASET_DIR ?? '/usr/share/datasets/fashion-mnist', 'test');
  const image = (k: number) => imageRows(test, k);
  const path = `/models/${search.bestModelId}/predict`;
  const bodiesOf = (n: number) => Array.from({ length: 8 }, (_, b) => JSON.stringify({ instances: Array.from({ length: n }, (_, i) => image((b * n + i) % test.count)) }));

  if (args.compare) {
    const n = sizes[0];
    const compared = await compareBatching({ databaseUrl: service.databaseUrl, backend: args.backend, modelId: search.bestModelId, bodiesOf, instances: n, connections, duration, repeats: Number(args.repeats) });
    rows.push(...compared.tables);
    failures.push(...compared.failures);
  }
  for (const n of args.compare ? [] : sizes) {
    const bodies = bodiesOf(n); // eight different bodies per size, cycled by every connection
    // Warm-up: loads the model into the cache and checks one answer in full.
    for (const body of bodies) {
      const res = await fetch(service.base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const json = await res.json() as { predictions?: unknown[] };
      if (res.status !== 200 || json.predictions?.length !== n) throw new Error(`warm-up predict: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    }
    let badBodies = 0;
    const loadBefore = load();
    const sampler = new RssSampler(service.api.pid!, 1000);
    const cpu = new CpuMeter(() => [service.api.pid!]);
    const result = await autocannon({
      url: service.base,
      connections,
      duration,
      headers: { 'content-type': 'application/json' },
      requests: bodies.map((body) => ({
        method: 'POST' as const, path, body,
        onResponse: (status: number, resBody: string) => { if (status === 200 && !resBody.startsWith('{"predictions":[')) badBodies++; },
      })),
    });
    const samples = sampler.stop();
    const used = cpu.read();
    const rss = (from: number, to: number) => mean(samples.filter((s) => s.t >= from && s.t < to && s.self !== null).map((s) => s.self!));
    const t0 = result.start.getTime();
    const t1 = result.finish.getTime();
    const first = rss(t0, t0 + 10_000);
    const last = rss(t1 - 10_000, t1 + 1);
    const peak = Math.max(...samples.map((s: RssSample) => s.self ?? 0));
    const codes = Object.entries(result.statusCodeStats ?? {}).map(([c, v]) => `${c}: ${v.count}`).join(', ');
    console.log(`\n${n} instance(s)/request, ${connections} connections, ${result.duration.toFixed(1)} s: ${result.requests.total} requests ` +
      `(status codes ${codes || 'none'}), ${result.requests.average.toFixed(1)} req/s, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
      `max ${result.latency.max} ms; errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}, malformed bodies ${badBodies}`);
    console.log(`  API RSS MiB every 10 s: ${samples.filter((_, i) => i % 10 === 0).map((s) => mib(s.self ?? 0)).join(', ')}`);
    console.log(`  API RSS first 10 s ${mib(first)} MiB, last 10 s ${mib(last)} MiB (${(last - first >= 0 ? '+' : '')}${mib(last - first)}), peak ${mib(peak)}; load averages ${loadBefore} → ${load()}`);
    console.log(`  ${used.text}`);
    rows.push(`| ${n} | ${connections} | ${result.duration.toFixed(0)} | ${result.requests.total} | ${result.requests.average.toFixed(1)} | ${(result.requests.average * n).toFixed(0)} | ` +
      `${result.latency.p50} | ${result.latency.p99} | ${result.latency.max} | ${result.errors} / ${result.timeouts} / ${result.non2xx} | ` +
      `${mib(first)} → ${mib(last)} (peak ${mib(peak)}) | ${used.service.toFixed(2)} / ${used.bench.toFixed(2)} / ${used.others.toFixed(2)} | ${loadBefore} → ${load()} |`);
    if (result.errors || result.timeouts || result.non2xx || badBodies || result['2xx'] !== result.requests.total)
      failures.push(`${n} instance(s)/request: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx (${codes}), ${badBodies} malformed bodies, ` +
        `${result['2xx']} 2xx of ${result.requests.total}`);
  }
} finally {
  await service.stop();
}
if (args.compare) {
  for (const table of rows) console.log(`\n${table}`);
} else {
  console.log('\n| instances/request | connections | s | requests | req/s | images/s | p50 ms | p99 ms | max ms | errors / timeouts / non-2xx | API RSS MiB first 10 s → last 10 s | CPU cores: API / autocannon / other work | load averages before → after |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
}
if (failures.length) {
  console.error(`\nFAILED: answers other than 2xx under load:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
}
