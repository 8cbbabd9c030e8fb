// npm run bench:notebook -- [--spec examples/fashion-mnist-search.json] [--backend auto]
// The notebook's whole search through the public API, as a user runs it: starts the service
// (`npm start`: API + one worker, fresh SQLite database, its own queue prefix and port), POSTs the
// search, waits for it, prints every trial and the wall time, then scores the best model on the
// 10,000 test images through POST /models/:id/predict. The notebook took 34.5 minutes (Keras).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadFashionMnist } from '../src/training/dataset.js';
import { imageRows } from '../test/fixtures/instances.js';

const { values: args } = parseArgs({
  options: {
    spec: { type: 'string', default: 'examples/fashion-mnist-search.json' },
    backend: { type: 'string', default: 'auto' },
    port: { type: 'string', default: '3917' },
  },
});
const root = fileURLToPath(new URL('..', import.meta.url));
const base = `http://127.0.0.1:${args.port}`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-notebook-'));
const service = spawn(process.execPath, ['--import', 'tsx', 'workers/start-all.ts'], {
  cwd: root, stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env, PORT: args.port, DATABASE_URL: `file:${path.join(dir, 'bench.db')}`, QUEUE_PREFIX: `bench-${process.pid}`,
    TRAINING_BACKEND: args.backend, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(base + url, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

try {
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break;
    if (i > 600) throw new Error('the service did not start');
    await sleep(500);
  }
  const health = await api('GET', '/health');
  console.log(`workers: ${JSON.stringify(health.workers)}`);
  const start = Date.now();
  const { id } = await api('POST', '/searches', JSON.parse(readFileSync(path.resolve(root, args.spec), 'utf8')));
  let search;
  do {
    await sleep(5000);
    search = await api('GET', `/searches/${id}`);
  } while (search.status === 'queued' || search.status === 'running');
  const minutes = (Date.now() - start) / 60000;
  const { trials } = await api('GET', `/searches/${id}/trials`);
  console.log('\n| trial | hyperparameters | backend | val_accuracy per epoch | best | minutes |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const t of trials) {
    const took = (Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 60000;
    console.log(`| ${t.number} | ${JSON.stringify(t.hyperparameters)} | ${t.backend} | ${t.epochs.map((e: { valAccuracy: number }) => e.valAccuracy.toFixed(4)).join(', ')} | ${t.valAccuracy?.toFixed(4)} | ${took.toFixed(1)} |`);
  }
  const test = loadFashionMnist(process.env.DATASET_DIR ?? '/usr/share/datasets/fashion-mnist', 'test');
  let correct = 0;
  for (let s = 0; s < test.count; s += 250) {
    const n = Math.min(250, test.count - s);
    const instances = Array.from({ length: n }, (_, i) => imageRows(test, s + i));
    const { predictions } = await api('POST', `/models/${search.bestModelId}/predict`, { instances });
    correct += predictions.filter((p: { classIndex: number }, i: number) => p.classIndex === test.labels[s + i]).length;
  }
  console.log(`\nsearch ${search.status} in ${minutes.toFixed(1)} min (notebook: 34.5 min); best trial ${search.bestTrial?.number} ` +
    `val_accuracy ${search.bestTrial?.valAccuracy?.toFixed(4)}; its model on the 10,000 test images: ${(correct / test.count).toFixed(4)}`);
} finally {
  service.kill('SIGTERM');
  await new Promise((r) => service.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
