// Where predictions run and how they are batched, side by side (npm run bench:predict -- --compare).
// Three more API processes serve the trained model from the same database, since the settings are
// per process: (1) on the event loop, every request its own pass (PREDICT_THREADS=0,
// PREDICT_BATCH_MAX=1: before issue 14); (2) on the event loop with dynamic batching; (3) the
// defaults: the inference pool (a thread per core) with batching, loaded once with single-image
// requests and once with 64-image requests, the throughput a server reaches when every pass is
// full. Runs alternate through the modes, repeated, so that drifting load from other work on the
// host hits all alike. During each run GET /health is timed every 50 ms, one at a time, against the
// API under load: what a probe or a dashboard waits while predictions saturate it.
import autocannon from 'autocannon';
import { setTimeout as sleep } from 'node:timers/promises';
import { CpuMeter, mainThreadCpuSeconds } from './cpu.js';
import { load } from './machine.js';
import { rssKiB } from './memory.js';
import { startService, type Service } from './service.js';
import { quantile } from './stats.js';

export interface CompareOptions {
  /** The database holding the trained model (the first service's). */
  databaseUrl: string;
  backend: string;
  modelId: string;
  /** Request bodies of `n` images each, cycled by every connection. */
  bodiesOf(n: number): string[];
  /** Images per request in the single-request modes. */
  instances: number;
  connections: number;
  duration: number;
  repeats: number;
}

interface Run {
  mode: string;
  imagesPerS: number;
  p50: number;
  p99: number;
  max: number;
  health: { p50: number; p99: number; max: number; count: number };
  failures: number;
  /** Cores used: the whole API process, its event loop (main thread) alone, and other work on the host. */
  cpu: { service: number; loop: number; others: number };
  /** Mean images per forward pass, from GET /metrics' hypertune_prediction_batch_images. */
  imagesPerPass: number;
  /** The API process's RSS (its threads included) before and after the run, MiB. */
  rss: { before: number; after: number };
}

const BATCH = `max ${process.env.PREDICT_BATCH_MAX || 64}, wait ${process.env.PREDICT_BATCH_WAIT_MS || 2} ms`;
const INLINE = { PREDICT_THREADS: '0' };
/** Processes by their settings; modes name one, and the images a request carries (undefined: the options' `instances`). */
const SERVERS: Record<string, string>[] = [{ ...INLINE, PREDICT_BATCH_MAX: '1', PREDICT_BATCH_WAIT_MS: '0' }, INLINE, {}];
const FULL = 64;
const MODES: { name: string; server: number; instances?: number }[] = [
  { name: 'event loop, no batching', server: 0 },
  { name: `event loop, batching (${BATCH})`, server: 1 },
  { name: `pool, batching (${BATCH})`, server: 2 },
  { name: `pool, ${FULL}-image requests`, server: 2, instances: FULL },
];

/** Runs the comparison; returns the Markdown tables and any failure (errors, non-2xx, malformed bodies, /health not 200). */
export async function compareBatching(o: CompareOptions): Promise<{ tables: string[]; failures: string[] }> {
  const services: Service[] = [];
  const runs: Run[] = [];
  const failures: string[] = [];
  try {
    for (const env of SERVERS) services.push(await startService({ name: `predict-${services.length}`, workers: 0, backend: o.backend, databaseUrl: o.databaseUrl, env }));
    const path = `/models/${o.modelId}/predict`;
    for (const m of MODES) await warmUp(services[m.server], path, o.bodiesOf(m.instances ?? o.instances), o);
    for (let r = 1; r <= o.repeats; r++) {
      for (const m of MODES) {
        const run = await measure(services[m.server], m.name, path, o.bodiesOf(m.instances ?? o.instances), m.instances ?? o.instances, o);
        runs.push(run);
        console.log(`run ${r} ${m.name}: ${run.imagesPerS.toFixed(0)} images/s, p50 ${run.p50} ms, p99 ${run.p99} ms, max ${run.max} ms; ` +
          `GET /health p50 ${run.health.p50.toFixed(1)} ms, p99 ${run.health.p99.toFixed(1)} ms (${run.health.count} probes); ` +
          `${run.imagesPerPass.toFixed(1)} images/pass; CPU cores API ${run.cpu.service.toFixed(2)} (event loop ${run.cpu.loop.toFixed(2)}), other work ${run.cpu.others.toFixed(2)}; ` +
          `API RSS ${run.rss.before.toFixed(0)} → ${run.rss.after.toFixed(0)} MiB; failures ${run.failures}`);
        if (run.failures) failures.push(`run ${r} ${m.name}: ${run.failures} errors, timeouts, non-2xx answers, malformed bodies or failed /health probes`);
      }
    }
  } finally {
    for (const s of services) await s.stop();
  }
  return { tables: [runTable(runs, o), summaryTable(runs, o)], failures };
}

/** Checks one answer per body in full, then 2 s of the load itself, untimed: the native backend sets
 *  up its kernels for each new batch size on first use (2-90 ms each here), which would otherwise
 *  land in the first measured run of batching on only. */
async function warmUp(s: Service, path: string, bodies: string[], o: CompareOptions): Promise<void> {
  for (const body of bodies) {
    const res = await fetch(s.base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const json = await res.json() as { predictions?: unknown[] };
    if (res.status !== 200 || json.predictions?.length !== JSON.parse(body).instances.length) throw new Error(`warm-up predict: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  }
  await autocannon({
    url: s.base, connections: o.connections, duration: 2,
    headers: { 'content-type': 'application/json' },
    requests: bodies.map((body) => ({ method: 'POST' as const, path, body })),
  });
}

async function measure(s: Service, mode: string, path: string, bodies: string[], instances: number, o: CompareOptions): Promise<Run> {
  let badBodies = 0;
  let loadDone = false;
  const rssBefore = (rssKiB(s.api.pid!) ?? NaN) / 1024;
  const passes0 = await passTotals(s.base);
  const cpu = new CpuMeter(() => [s.api.pid!]);
  const loop0 = { cpu: mainThreadCpuSeconds(s.api.pid!) ?? NaN, t: performance.now() };
  const health = probeHealth(s.base, () => loadDone);
  const instance = autocannon({
    url: s.base, connections: o.connections, duration: o.duration,
    headers: { 'content-type': 'application/json' },
    requests: bodies.map((body) => ({
      method: 'POST' as const, path, body,
      onResponse: (status: number, resBody: string) => { if (status === 200 && !resBody.startsWith('{"predictions":[')) badBodies++; },
    })),
  });
  let result: Awaited<typeof instance>;
  try {
    result = await instance; // a thenable, not a Promise
  } finally {
    loadDone = true;
  }
  const used = cpu.read();
  const loop = ((mainThreadCpuSeconds(s.api.pid!) ?? NaN) - loop0.cpu) / ((performance.now() - loop0.t) / 1000);
  const probes = await health;
  const passes1 = await passTotals(s.base);
  const ok = probes.filter((p) => p.ok).map((p) => p.ms);
  return {
    mode,
    imagesPerS: (result.requests.total * instances) / result.duration,
    p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max,
    health: { p50: quantile(ok, 0.5), p99: quantile(ok, 0.99), max: Math.max(...ok), count: probes.length },
    failures: result.errors + result.timeouts + result.non2xx + badBodies + (result.requests.total - result['2xx']) + (probes.length - ok.length),
    cpu: { service: used.service, loop, others: used.others },
    imagesPerPass: (passes1.images - passes0.images) / Math.max(1, passes1.passes - passes0.passes),
    rss: { before: rssBefore, after: (rssKiB(s.api.pid!) ?? NaN) / 1024 },
  };
}

/** Images and forward passes so far, from the API's GET /metrics. */
async function passTotals(base: string): Promise<{ images: number; passes: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const read = (suffix: string) => Number(new RegExp(`^hypertune_prediction_batch_images_${suffix} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { images: read('sum'), passes: read('count') };
}

/** GET /health one after another, 50 ms apart, until the load ends. */
async function probeHealth(base: string, done: () => boolean): Promise<{ ms: number; ok: boolean }[]> {
  const probes: { ms: number; ok: boolean }[] = [];
  while (!done()) {
    const t0 = performance.now();
    const ok = await fetch(`${base}/health`).then(async (res) => { await res.arrayBuffer(); return res.ok; }, () => false);
    probes.push({ ms: performance.now() - t0, ok });
    await sleep(50);
  }
  return probes;
}

const median = (xs: number[]) => quantile(xs, 0.5);
const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);

function runTable(runs: Run[], o: CompareOptions): string {
  const head = `| run | mode | images/s | images/pass | p50 ms | p99 ms | max ms | GET /health p50 / p99 / max ms (probes) | CPU cores: API (its event loop) / other work | API RSS MiB before → after | failures |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`;
  const rows = runs.map((r, i) => `| ${Math.floor(i / MODES.length) + 1} | ${r.mode} | ${f0(r.imagesPerS)} | ${f1(r.imagesPerPass)} | ${r.p50} | ${r.p99} | ${r.max} | ` +
    `${f1(r.health.p50)} / ${f1(r.health.p99)} / ${f1(r.health.max)} (${r.health.count}) | ${r.cpu.service.toFixed(2)} (${r.cpu.loop.toFixed(2)}) / ${r.cpu.others.toFixed(2)} | ${f0(r.rss.before)} → ${f0(r.rss.after)} | ${r.failures} |`);
  return `Every run: ${o.connections} connections, ${o.duration} s, ${o.instances} image(s) a request unless the mode says otherwise; load averages now ${load()}\n\n${head}\n${rows.join('\n')}`;
}

/** Per mode: medians and spread; and the single-image pool mode's throughput as a share of the full-request one's, run by run. */
function summaryTable(runs: Run[], o: CompareOptions): string {
  const head = `| mode | runs | images/s median (min–max) | images/pass median | p50 ms median | p99 ms median (max) | p99 / p50 median | GET /health p50 ms median | GET /health p99 ms median (max) | failures |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`;
  const rows = MODES.map(({ name }) => {
    const rs = runs.filter((r) => r.mode === name);
    const ips = rs.map((r) => r.imagesPerS);
    return `| ${name} | ${rs.length} × ${o.duration} s | ${f0(median(ips))} (${f0(Math.min(...ips))}–${f0(Math.max(...ips))}) | ${f1(median(rs.map((r) => r.imagesPerPass)))} | ${median(rs.map((r) => r.p50))} | ` +
      `${median(rs.map((r) => r.p99))} (${Math.max(...rs.map((r) => r.p99))}) | ${f1(median(rs.map((r) => r.p99 / Math.max(1, r.p50))))} | ${f1(median(rs.map((r) => r.health.p50)))} | ` +
      `${f1(median(rs.map((r) => r.health.p99)))} (${f1(Math.max(...rs.map((r) => r.health.p99)))}) | ${rs.reduce((s, r) => s + r.failures, 0)} |`;
  });
  const single = runs.filter((r) => r.mode === MODES[2].name);
  const full = runs.filter((r) => r.mode === MODES[3].name);
  const shares = single.map((r, i) => r.imagesPerS / full[i].imagesPerS);
  const share = `Pool, single-image requests ÷ ${FULL}-image requests, same run: ${shares.map((x) => `${(100 * x).toFixed(0)} %`).join(', ')} (median ${(100 * median(shares)).toFixed(0)} %)`;
  return `${head}\n${rows.join('\n')}\n\n${share}`;
}
