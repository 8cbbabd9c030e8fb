// Samples/s of one training step (forward + backward + Adam) for the reference search's best
// model at batch 32, per backend. Usage: npx tsx bench/train-step.ts [steps=60] [backends=wasm,cpu]
// The cpu backend takes several seconds a step, so it runs 2 steps after 1 warm-up whatever `steps` says.
import * as tf from '@tensorflow/tfjs';
import { NOTEBOOK_MODEL } from '../test/fixtures/reference-search.js';
import { initBackend, type BackendName } from '../src/training/backend.js';
import { buildModel } from '../src/training/build-model.js';

const BATCH = 32;

async function bench(backend: BackendName, steps: number, warmup: number): Promise<number> {
  await initBackend(backend);
  const model = buildModel(NOTEBOOK_MODEL, 1);
  const xs = tf.randomUniform([BATCH, 28, 28, 1]);
  const ys = tf.tensor2d(Array.from({ length: BATCH }, (_, i) => i % 10), [BATCH, 1]);
  for (let i = 0; i < warmup; i++) await model.trainOnBatch(xs, ys);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(xs, ys);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rate = (steps * BATCH) / seconds;
  console.log(`${backend}: ${steps} steps of batch ${BATCH} in ${seconds.toFixed(2)} s = ${rate.toFixed(1)} samples/s ` +
    `(${((seconds / steps) * 1000).toFixed(0)} ms/step, ${((cpuSeconds / seconds) * 100).toFixed(0)}% of a core; ${model.countParams()} params)`);
  tf.dispose([xs, ys]);
  model.dispose();
  return rate;
}

const steps = Number(process.argv[2] ?? 60);
const backends = (process.argv[3] ?? 'wasm,cpu').split(',') as BackendName[];
console.log(`node ${process.version}, wasm SIMD: ${await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')}`);
for (const b of backends) await bench(b, b === 'cpu' ? Math.min(steps, 2) : steps, b === 'cpu' ? 1 : 3);
