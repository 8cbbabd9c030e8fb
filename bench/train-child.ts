// One measurement of bench/train.ts in a fresh process (a backend's threads and heap are set up
// once per process): samples/s of trainOnBatch on the notebook's best model. Prints one JSON line.
// Usage: train-child.ts BACKEND BATCH SECONDS THREADS
import * as tf from '@tensorflow/tfjs';
import { NOTEBOOK_MODEL } from '../test/fixtures/reference-search.js';
import { BackendUnavailableError } from '../src/training/backend-unavailable.js';
import { initBackend, isBackendName } from '../src/training/backend.js';
import { buildModel, disposeModel } from '../src/training/build-model.js';

const [name, batchArg, secondsArg, threadsArg] = process.argv.slice(2);
if (!isBackendName(name)) throw new Error(`unknown backend '${name}'`);
const batch = Number(batchArg);
const seconds = Number(secondsArg);
const print = (o: object) => process.stdout.write(`${JSON.stringify({ engine: name, batch, ...o })}\n`);

try {
  const backend = await initBackend(name, { threads: Number(threadsArg) });
  const model = buildModel(NOTEBOOK_MODEL, 1);
  const xs = tf.randomUniform([batch, 28, 28, 1]);
  const ys = tf.tensor2d(Array.from({ length: batch }, (_, i) => i % 10), [batch, 1]);
  await model.trainOnBatch(xs, ys); // warm-up: kernel compilation, primitive caches
  const tensorsBefore = tf.memory().numTensors;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let steps = 0;
  while (steps < 2 || performance.now() - start < seconds * 1000) {
    await model.trainOnBatch(xs, ys);
    steps++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  print({
    detail: backend.detail, threads: backend.threads, steps, seconds: elapsed, samplesPerSecond: (steps * batch) / elapsed,
    cpuCores: (cpu.user + cpu.system) / 1e6 / elapsed, params: model.countParams(),
    leakedTensors: tf.memory().numTensors - tensorsBefore,
  });
  tf.dispose([xs, ys]);
  disposeModel(model);
} catch (err) {
  if (!(err instanceof BackendUnavailableError)) throw err;
  print({ unavailable: err.reason });
}
process.exit(0); // wasm pthreads and Dawn keep handles open
