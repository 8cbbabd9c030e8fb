// npm run bench:notebook -- [--spec examples/fashion-mnist-search.json] [--backend auto]
//   [--algorithm random|bayesian|hyperband|asha|median] [--seed N] [--precision fp32|bf16]
// The notebook's whole search through the public API, as a user runs it: starts the service
// (`npm start`: API + one worker in one process, fresh SQLite database, its own queue prefix and
// port; bench/service.ts), POSTs the
// search, waits for it, prints every trial and the wall time, then scores the best model on the
// 10,000 test images through POST /models/:id/predict. The notebook took 34.5 minutes (Keras).
// --algorithm turns the spec's random search into another algorithm under the same budget of
// epochs (maxTrials x epochs), as the replay does (bench/replay-requests.ts); --seed replaces its seed;
// --precision sets the spec's training.precision (bf16: mixed precision, native on AVX512_BF16).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { fashionMnistFiles, loadFashionMnist } from '../src/datasets/fashion-mnist.js';
import { imageRows } from '../test/fixtures/instances.js';
import { root } from '../test/support/node-script.js';
import { isReplayAlgorithm, underEqualEpochs } from './replay-requests.js';
import { listAll, startService } from './service.js';

const { values: args } = parseArgs({
  options: {
    spec: { type: 'string', default: 'examples/fashion-mnist-search.json' },
    backend: { type: 'string', default: 'auto' },
    algorithm: { type: 'string' },
    seed: { type: 'string' },
    precision: { type: 'string' },
  },
});
const spec = JSON.parse(readFileSync(path.resolve(root, args.spec), 'utf8'));
const seed = args.seed === undefined ? spec.algorithm?.seed : Number(args.seed);
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got '${args.seed}'`);
let request = { ...spec, algorithm: { ...spec.algorithm, seed } };
// The API judges the value (a 400 naming training.precision where it cannot run).
if (args.precision !== undefined) request = { ...request, training: { ...request.training, precision: args.precision } };
if (args.algorithm !== undefined) {
  if (!isReplayAlgorithm(args.algorithm)) throw new Error(`unknown --algorithm '${args.algorithm}'`);
  // The notebook's space (1,176 configurations) is far larger than any budget here.
  request = { ...underEqualEpochs(request, args.algorithm, seed, Number.POSITIVE_INFINITY), name: `${spec.name}-${args.algorithm}-seed-${seed}` };
}
console.log(`algorithm ${JSON.stringify(request.algorithm)}; training ${JSON.stringify(request.training)}; budget ${JSON.stringify(request.budget)}${request.earlyStopping ? `; early stopping ${JSON.stringify(request.earlyStopping)}` : ''}`);
// Rate limits as `npm start` has them (this search stays far below them).
const service = await startService({ name: 'notebook', workers: 1, singleProcess: true, backend: args.backend, env: { RATE_LIMIT_SEARCHES_PER_MINUTE: '', RATE_LIMIT_PREDICT_PER_MINUTE: '' } });
const api = (method: string, url: string, body?: unknown) => service.call<any>(method, url, body);

try {
  const health = await api('GET', '/health');
  console.log(`workers: ${JSON.stringify(health.workers)}`);
  const start = Date.now();
  const { id } = await api('POST', '/searches', request);
  let search;
  do {
    await sleep(5000);
    search = await api('GET', `/searches/${id}`);
  } while (search.status === 'queued' || search.status === 'running');
  const minutes = (Date.now() - start) / 60000;
  const trials = await listAll(service, `/searches/${id}/trials`, 'trials');
  console.log('\n| trial | hyperparameters | backend | val_accuracy per epoch | best | minutes |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const t of trials) {
    const took = (Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 60000;
    console.log(`| ${t.number} | ${JSON.stringify(t.hyperparameters)} | ${t.backend} | ${t.epochs.map((e: { valAccuracy: number }) => e.valAccuracy.toFixed(4)).join(', ')} | ${t.valAccuracy?.toFixed(4)} | ${took.toFixed(1)} |`);
  }
  const dir = process.env.DATASET_DIR ?? '/usr/share/datasets/fashion-mnist';
  // The GPU device's pack leaves the test images out unless asked (scripts/device/pack.mjs).
  let score = 'its model on the test images: not scored (no t10k files)';
  if (existsSync(fashionMnistFiles(dir, 'test').images)) {
    const test = loadFashionMnist(dir, 'test');
    let correct = 0;
    for (let s = 0; s < test.count; s += 250) {
      const n = Math.min(250, test.count - s);
      const instances = Array.from({ length: n }, (_, i) => imageRows(test, s + i));
      const { predictions } = await api('POST', `/models/${search.bestModelId}/predict`, { instances });
      correct += predictions.filter((p: { classIndex: number }, i: number) => p.classIndex === test.labels[s + i]).length;
    }
    score = `its model on the 10,000 test images: ${(correct / test.count).toFixed(4)}`;
  }
  console.log(`\nsearch ${search.status} in ${minutes.toFixed(1)} min (notebook: 34.5 min); best trial ${search.bestTrial?.number} ` +
    `val_accuracy ${search.bestTrial?.valAccuracy?.toFixed(4)}; ${score}`);
} finally {
  await service.stop();
}
