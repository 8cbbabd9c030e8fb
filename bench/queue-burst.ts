// npm run bench:queue -- [--searches 100] [--max-trials 1] [--workers 2] [--concurrency 1] [--limit 64] [--backend auto] [--timeout 900]
// The work queue under a burst, over loopback (default 100 searches, about 3 minutes on the 2-core machine; the 200 with `--searches 200`): starts the service (API + `--workers` trial-worker
// processes, each running `--concurrency` trials at once, fresh SQLite database), POSTs `--searches`
// searches all at once (concurrent requests), each a trivially small trial config (`--limit`
// images, 1 epoch, batch 32, max-pooling + dense 8..107 units: `--max-trials` trials), waits for all,
// then checks through the API that no trial was lost or duplicated: every search completed with
// exactly max-trials trials numbered 1..n, each completed in one attempt with each epoch recorded
// once and a model, and the queue's job counts (GET /health) match. Reports wall time, trials/s and
// the scheduling overhead per trial (defined where it is printed).
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { CpuMeter } from './cpu.js';
import { load, machine } from './machine.js';
import { listAll, startService, waitForSearches } from './service.js';
import { smallSearch } from './small-search.js';
import { mean, quantile } from './stats.js';

const { values: args } = parseArgs({
  options: {
    searches: { type: 'string', default: '100' },
    'max-trials': { type: 'string', default: '1' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '1' },
    limit: { type: 'string', default: '64' },
    backend: { type: 'string', default: 'auto' },
    timeout: { type: 'string', default: '900' },
  },
});
const searches = Number(args.searches);
const maxTrials = Number(args['max-trials']);
const workers = Number(args.workers);
const concurrency = Number(args.concurrency);
const epochs = 1;

console.log(`machine: ${machine()}; load averages ${load()}`);
const service = await startService({ name: 'queue', workers, backend: args.backend, env: { WORKER_CONCURRENCY: String(concurrency) } });
const problems: string[] = [];
try {
  const health0 = await service.call('GET', '/health');
  console.log(`${workers} worker(s) × concurrency ${concurrency} on ${health0.workers.list.map((w: { backend: string }) => w.backend).join(', ')}`);
  const loadBefore = load();
  const cpu = new CpuMeter(() => [service.api.pid!, ...service.workers.map((w) => w.pid!)]);
  const t0 = Date.now();
  const posted = await Promise.all(Array.from({ length: searches }, async (_, i) => {
    const start = performance.now();
    const res = await fetch(`${service.base}/searches`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(smallSearch({ name: `burst-${i}`, limit: Number(args.limit), maxTrials, convs: false, units: [8, 107], seed: i + 1 })),
    });
    const body = await res.json() as { id?: string };
    return { status: res.status, id: body.id, ms: performance.now() - start, body };
  }));
  const burstMs = Date.now() - t0;
  const rejected = posted.filter((p) => p.status !== 201);
  if (rejected.length) problems.push(`${rejected.length} of ${searches} POST /searches answered non-201: ${JSON.stringify(rejected.slice(0, 3).map((r) => [r.status, r.body]))}`);
  const ms = posted.map((p) => p.ms);
  console.log(`burst: ${searches} POST /searches in ${burstMs} ms, ${searches - rejected.length} answered 201, latency p50 ${quantile(ms, 0.5).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms`);

  const ids = posted.flatMap((p) => (p.id ? [p.id] : []));
  // Polls the queue's job counts (GET /health: one Redis call) rather than GET /searches, whose cost
  // grows with the number of searches and would load the API it measures.
  const until = Date.now() + Number(args.timeout) * 1000;
  let lastPrint = 0;
  for (;;) {
    const jobs = (await service.call('GET', '/health')).redis.jobs;
    const finished = jobs.completed + jobs.failed;
    if (Date.now() - lastPrint > 15_000) { lastPrint = Date.now(); console.log(`  ${((Date.now() - t0) / 1000).toFixed(0)} s: ${finished}/${ids.length * maxTrials} trial jobs finished`); }
    if (finished >= ids.length * maxTrials && !jobs.waiting && !jobs.active && !jobs.delayed) break;
    if (Date.now() > until) throw new Error(`timed out after ${args.timeout} s: ${JSON.stringify(jobs)}`);
    await sleep(1000);
  }
  const used = cpu.read();
  const views = await waitForSearches(service, ids, 60_000);
  const loadAfter = load();

  // ---- no trial lost or duplicated ----
  const trials: any[] = [];
  for (const view of views) {
    const ts = await listAll(service, `/searches/${view.id}/trials`, 'trials');
    const where = `search ${view.name} (${view.id})`;
    if (view.status !== 'completed') problems.push(`${where} ended ${view.status}: ${view.error}`);
    const numbers = ts.map((t) => t.number).sort((a, b) => a - b);
    if (numbers.join() !== Array.from({ length: maxTrials }, (_, k) => k + 1).join()) problems.push(`${where} has trial numbers [${numbers}], not 1..${maxTrials}`);
    if (new Set(ts.map((t) => JSON.stringify(t.hyperparameters))).size !== ts.length) problems.push(`${where} repeated a hyperparameter combination`);
    for (const t of ts) {
      const at = `${where} trial ${t.number}`;
      if (t.status !== 'completed') problems.push(`${at} is ${t.status}: ${t.error}`);
      if (t.attempts !== 1) problems.push(`${at} ran ${t.attempts} times`);
      const es = t.epochs.map((e: { epoch: number }) => e.epoch).sort((a: number, b: number) => a - b);
      if (es.join() !== Array.from({ length: epochs }, (_, k) => k + 1).join()) problems.push(`${at} has epochs [${es}], not 1..${epochs}`);
      if (!t.modelId || !t.startedAt || !t.finishedAt) problems.push(`${at} lacks a model or timestamps`);
      trials.push(t);
    }
  }
  if (new Set(trials.map((t) => t.id)).size !== trials.length) problems.push('a trial id appears twice');
  const expected = ids.length * maxTrials;
  if (trials.length !== expected) problems.push(`${trials.length} trials, expected ${expected}`);
  const { jobs } = (await service.call('GET', '/health')).redis;
  if (jobs.completed !== expected || jobs.failed || jobs.waiting || jobs.active || jobs.delayed)
    problems.push(`queue job counts ${JSON.stringify(jobs)}, expected ${expected} completed and nothing else`);
  console.log(`checked: ${views.length} searches, ${trials.length} trials, ${trials.reduce((n, t) => n + t.epochs.length, 0)} epoch records; queue jobs ${JSON.stringify(jobs)}`);

  // ---- timing ----
  // wall: from the first POST to the last trial's finishedAt (the API's and this process's clocks are the same host's).
  const finished = trials.map((t) => Date.parse(t.finishedAt));
  const wallS = (Math.max(...finished) - t0) / 1000;
  const slots = workers * concurrency;
  const trainS = trials.map((t) => t.epochs.reduce((s: number, e: { durationMs: number }) => s + e.durationMs, 0) / 1000);
  const runS = trials.map((t) => (Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 1000);
  const slotPerTrial = wallS * slots / trials.length; // worker-slot seconds each trial took out of the run
  const overhead = slotPerTrial - mean(trainS);
  const inProcess = mean(runS) - mean(trainS);
  const rows = [
    `| searches × trials | workers × concurrency | POST burst s | wall s | trials/s | slot s per trial | training s per trial | overhead s per trial (in trial process / outside) | CPU cores: service / other work | load averages before → after |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
    `| ${ids.length} × ${maxTrials} | ${workers} × ${concurrency} | ${(burstMs / 1000).toFixed(1)} | ${wallS.toFixed(1)} | ${(trials.length / wallS).toFixed(2)} | ` +
      `${slotPerTrial.toFixed(2)} | ${mean(trainS).toFixed(3)} | ${overhead.toFixed(2)} (${inProcess.toFixed(2)} / ${(overhead - inProcess).toFixed(2)}) | ${used.service.toFixed(2)} / ${used.others.toFixed(2)} | ${loadBefore} → ${loadAfter} |`,
  ];
  console.log(`\n${used.text}`);
  console.log(`wall ${wallS.toFixed(1)} s for ${trials.length} trials: ${(trials.length / wallS).toFixed(2)} trials/s`);
  const half = t0 + (Math.max(...finished) - t0) / 2;
  const firstHalf = finished.filter((f) => f < half).length;
  console.log(`trials finished in the first half of the wall time: ${firstHalf}, in the second: ${trials.length - firstHalf}`);
  console.log(`training (sum of a trial's epoch durationMs, fit() time): mean ${mean(trainS).toFixed(3)} s, p50 ${quantile(trainS, 0.5).toFixed(3)}, max ${Math.max(...trainS).toFixed(3)}`);
  console.log(`trial process startedAt → finishedAt: mean ${mean(runS).toFixed(3)} s, p50 ${quantile(runS, 0.5).toFixed(3)}, max ${Math.max(...runS).toFixed(3)}`);
  console.log(`scheduling overhead per trial = wall × slots / trials − mean training = ${wallS.toFixed(1)} × ${slots} / ${trials.length} − ${mean(trainS).toFixed(3)} = ${overhead.toFixed(2)} s, of which ` +
    `${inProcess.toFixed(2)} s inside the trial process after it marked the trial running (data, model build, artifact, DB writes) and ` +
    `${(overhead - inProcess).toFixed(2)} s outside it (queue hand-off, child process start with tsx/tfjs/backend, scheduler.advance, the POST burst itself)`);
  console.log(`\n${rows.join('\n')}`);
} finally {
  await service.stop();
}
if (problems.length) {
  console.error(`\nFAILED: ${problems.length} problem(s):\n  ${problems.slice(0, 30).join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log('\nno trial lost or duplicated');
}
