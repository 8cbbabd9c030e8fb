// One measurement of bench/train.ts in a fresh process (a backend's threads and heap are set up
// once per process): samples/s of trainOnBatch on the notebook's best model, fed real Fashion-MNIST
// batches (the first 54,000 training images, gathered in a shuffled order as the service's
// seededBatches does). Prints one JSON line. Usage: train-child.ts BACKEND BATCH SECONDS THREADS [PRECISION (fp32)]
// (bf16: the native kernels in mixed precision, as a trial with training.precision 'bf16' runs them).
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { NOTEBOOK_MODEL } from '../test/fixtures/reference-search.js';
import { loadFashionMnist } from '../src/datasets/fashion-mnist.js';
import { BackendUnavailableError } from '../src/training/backend-unavailable.js';
import { initBackend, isBackendName } from '../src/training/backend.js';
import { buildModel, disposeModel } from '../src/training/build-model.js';
import { precisionUnavailableReason } from '../src/training/precision-support.js';
import { toTensors } from '../src/training/inputs.js';
import { isPrecision } from '../src/domain/precision.js';

const [name, batchArg, secondsArg, threadsArg, precision = 'fp32'] = process.argv.slice(2);
if (!isBackendName(name)) throw new Error(`unknown backend '${name}'`);
if (!isPrecision(precision)) throw new Error(`unknown precision '${precision}'`);
const batch = Number(batchArg);
const seconds = Number(secondsArg);
const print = (o: object) => process.stdout.write(`${JSON.stringify({ engine: name, precision, batch, ...o })}\n`);
const TRAIN_IMAGES = 54_000;

/** A new random order of [0, n) (Fisher-Yates). */
function shuffled(n: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * bench/gpu-concurrency.ts starts several of these at once: each says it is warmed up
 * (HYPERTUNE_BENCH_BARRIER/ready-PID) and waits for the others (the file `go`), so that the timed
 * windows coincide and their rates add up.
 */
async function barrier() {
  const dir = process.env.HYPERTUNE_BENCH_BARRIER;
  if (!dir) return;
  writeFileSync(path.join(dir, `ready-${process.pid}`), '');
  while (!existsSync(path.join(dir, 'go'))) await new Promise((r) => setTimeout(r, 5));
}

try {
  const backend = await initBackend(name, { threads: Number(threadsArg), openMpWait: 'spin' }); // as a trial's process
  const why = precisionUnavailableReason(name, precision);
  if (why) throw new BackendUnavailableError(name, why);
  if (precision !== 'fp32') (await import('../src/training/native/precision.js')).setNativePrecision(name, precision);
  const data = toTensors(loadFashionMnist(process.env.DATASET_DIR, 'train', TRAIN_IMAGES), 0, TRAIN_IMAGES);
  const model = buildModel(NOTEBOOK_MODEL, 1);
  let order = shuffled(TRAIN_IMAGES);
  let cursor = 0;
  const step = async () => {
    if (cursor + batch > TRAIN_IMAGES) [order, cursor] = [shuffled(TRAIN_IMAGES), 0];
    const { xs, ys } = tf.tidy(() => {
      const indices = tf.tensor1d(order.subarray(cursor, cursor + batch), 'int32');
      return { xs: tf.gather(data.xs, indices), ys: tf.gather(data.ys, indices) };
    });
    cursor += batch;
    await model.trainOnBatch(xs, ys);
    tf.dispose([xs, ys]);
  };
  // The cpu backend takes seconds per step: two steps say enough.
  await step(); // warm-up: kernels and their buffers set up for these shapes
  await barrier();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let steps = 0;
  while (steps < 2 || performance.now() - start < seconds * 1000) {
    await step();
    steps++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  print({
    detail: backend.detail, threads: backend.threads, samplesPerSecond: (steps * batch) / elapsed, steps, seconds: elapsed,
    cpuCores: (cpu.user + cpu.system) / 1e6 / elapsed, params: model.countParams(),
  });
  disposeModel(model);
  tf.dispose([data.xs, data.ys]);
} catch (err) {
  if (!(err instanceof BackendUnavailableError)) throw err;
  print({ unavailable: err.reason });
}
process.exit(0); // wasm pthreads and Dawn keep handles open
