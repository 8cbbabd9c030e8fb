// Multi-threaded wasm (src/training/wasm-threads.ts). The wasm backend initializes once per
// process, so each configuration trains in a child process of its own (`node --import tsx`),
// which must also exit by itself afterwards (the pthread workers may not keep it alive).
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const src = (file: string) => JSON.stringify(path.join(ROOT, 'src/training', file));

/** 3 Adam steps of a small conv model on wasm with `threads` threads (1: never enable them). */
const childCode = (threads: number) => `
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
const { enableWasmThreads, wasmThreadCount } = await import(${src('wasm-threads.ts')});
const { registerTrainingKernels } = await import(${src('kernels/index.ts')});
const { buildModel } = await import(${src('build-model.ts')});
const { mulberry32 } = await import(${JSON.stringify(path.join(ROOT, 'src/domain/rng.ts'))});
const note = ${threads} > 1 ? enableWasmThreads(${threads}) : 'one thread';
setWasmPaths(${JSON.stringify(path.join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist'))} + '/');
if (!(await tf.setBackend('wasm'))) throw new Error('wasm did not initialize');
registerTrainingKernels('wasm');
const conv = (o) => ({ type: 'conv2d', filters: 6, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu', ...o });
const model = buildModel({
  inputShape: [12, 12, 1], loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01, momentum: 0 },
  layers: [conv({}), conv({ filters: 5, strides: 2, padding: 'same' }), { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid' },
    { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }],
}, 42);
const rand = mulberry32(7);
const x = tf.tensor4d(Float32Array.from({ length: 16 * 144 }, () => rand()), [16, 12, 12, 1]);
const y = tf.tensor2d(Float32Array.from({ length: 16 }, (_, i) => i % 10), [16, 1]);
const losses = [];
for (let i = 0; i < 3; i++) losses.push((await model.trainOnBatch(x, y))[0]);
tf.dispose([x, y]);
model.dispose();
// The filter gradient's many-channel path (heap views into one operand, packed once) on these
// threads, against the cpu backend's own kernel: 16 input channels, 'same' padding.
const xs = tf.randomUniform([3, 9, 8, 16], -1, 1, 'float32', 1);
const dys = tf.randomUniform([3, 9, 8, 5], -1, 1, 'float32', 2);
const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 16, 5] };
const dw = await tf.engine().runKernel('Conv2DBackpropFilter', { x: xs, dy: dys }, attrs).data();
await tf.setBackend('cpu');
const ref = await tf.engine().runKernel('Conv2DBackpropFilter', { x: xs, dy: dys }, attrs).data();
const scale = Math.max(...ref.map(Math.abs));
const dwError = Math.max(...ref.map((v, i) => Math.abs(v - dw[i]))) / scale;
console.log(JSON.stringify({ note: note ?? null, threads: wasmThreadCount(), again: enableWasmThreads(2) ?? null, losses, dwError }));
`;

interface ChildResult { note: string | null; threads: number; again: string | null; losses: number[]; dwError: number }

/** Runs the child; resolves with its report once it has exited by itself (rejects on a non-zero exit or a hang). */
function train(threads: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', childCode(threads)], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`child (${threads} threads) did not exit; stdout: ${out}`)); }, 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`child (${threads} threads) exited with ${code ?? signal}: ${err.slice(-2000)}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
    });
  });
}

describe('wasm with threads', () => {
  it('uses 2 threads, trains the same losses as one thread, and the process exits by itself', async () => {
    const single = await train(1);
    const multi = await train(2);
    expect(single.threads).toBe(1);
    if (os.availableParallelism() >= 2) {
      expect(multi.note).toBeNull(); // enabled
      expect(multi.threads).toBe(2);
    }
    expect(multi.again).toMatch(/already initialized/); // too late once the backend is up
    multi.losses.forEach((l, i) => expect(Math.abs(l - single.losses[i]) / Math.abs(single.losses[i])).toBeLessThan(1e-4));
    expect(multi.losses[2]).toBeLessThan(multi.losses[0]);
    expect(single.dwError).toBeLessThan(1e-4);
    expect(multi.dwError).toBeLessThan(1e-4);
  }, 120_000);
});
