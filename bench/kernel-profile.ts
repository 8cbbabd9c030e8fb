// npm run bench:kernels -- [backend=native] [batch=32] [steps=30] [config=64k3-48k3-48] [precision=fp32] [bf16 policy=default]
// Where a training step of the notebook's best model spends its time, per tfjs kernel and input
// shapes, on one CPU backend (each kernel function wrapped in a timer; GPU kernels run
// asynchronously, so this says nothing useful about webgpu). What guided the native kernels.
// config: a configuration of the notebook's space as bench:epochs names them (bench/epoch-configs.ts);
// precision bf16: native's mixed precision (training.precision), where the CPU has it; policy
// 'every': every conv and product in bf16, as autocast would; 'amx', 'avx512': that CPU kind's
// policy; 'default': this CPU's (src/training/native/bf16-policy.ts).
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import { resolveTemplate } from '../src/domain/model-template.js';
import { referenceSearch } from '../test/fixtures/reference-search.js';
import { parseConfig, toHyperparameters } from './epoch-configs.js';
import { describePreemption, preemption } from './machine.js';
import { median } from './stats.js';
import { initBackend, isBackendName } from '../src/training/backend.js';
import { buildModel } from '../src/training/build-model.js';
import { setDirectSteps } from '../src/training/direct-step-route.js';
import { precisionUnavailableReason } from '../src/training/precision-support.js';
import { isPrecision } from '../src/domain/precision.js';
import { AMX_BF16_POLICY, AVX512_BF16_POLICY, EVERY_KERNEL_BF16 } from '../src/training/native/bf16-policy.js';
import type { NativeBackend } from '../src/training/native/native-backend.js';

const [name = 'native', batchArg = '32', stepsArg = '30', config = '64k3-48k3-48', precision = 'fp32', policy = 'default'] = process.argv.slice(2);
if (!isBackendName(name)) throw new Error(`unknown backend '${name}'`);
const batch = Number(batchArg);
const steps = Number(stepsArg);
const backend = await initBackend(name, { threads: os.availableParallelism(), openMpWait: 'spin' }); // as a trial's process
// Kernels are timed where tfjs calls them (its registry); native's direct step calls them itself, so
// the profile runs tfjs' train function: the same kernels, plus the per-op work the direct step saves.
setDirectSteps(false);
if (!isPrecision(precision)) throw new Error(`unknown precision '${precision}'`);
if (precision !== 'fp32') {
  const why = precisionUnavailableReason(name, precision);
  if (why) throw new Error(why);
  (await import('../src/training/native/precision.js')).setNativePrecision(name, precision);
  const policies = { every: EVERY_KERNEL_BF16, amx: AMX_BF16_POLICY, avx512: AVX512_BF16_POLICY };
  if (policy in policies) (tf.backend() as NativeBackend).bf16Policy = { ...policies[policy as keyof typeof policies] };
  else if (policy !== 'default') throw new Error(`unknown bf16 policy '${policy}' (default, every, amx, avx512)`);
}

const times = new Map<string, { ms: number; calls: number; each: number[] }>();
for (const k of tf.getKernelsForBackend(name)) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, name);
  tf.registerKernel({ ...k, kernelFunc: (args) => {
    const t0 = performance.now();
    const out = f(args);
    const key = `${k.kernelName} ${Object.values(args.inputs).map((t) => (t ? `[${t.shape}]` : '-')).join('')}`;
    const e = times.get(key) ?? { ms: 0, calls: 0, each: [] };
    const ms = performance.now() - t0;
    e.ms += ms;
    e.each.push(ms);
    e.calls++;
    times.set(key, e);
    return out;
  } });
}
// Before the model: the probe's threads would otherwise share the cores with the step.
const noise = describePreemption(await preemption());
const model = buildModel(resolveTemplate(referenceSearch().model, toHyperparameters(parseConfig(config))), 1);
const xs = tf.randomUniform([batch, 28, 28, 1]);
const ys = tf.tensor2d(Array.from({ length: batch }, (_, i) => i % 10), [batch, 1]);
for (let i = 0; i < 3; i++) await model.trainOnBatch(xs, ys);
times.clear();
const t0 = performance.now();
for (let i = 0; i < steps; i++) await model.trainOnBatch(xs, ys);
const stepMs = (performance.now() - t0) / steps;
const rows = [...times].sort((a, b) => b[1].ms - a[1].ms);
const kernelMs = rows.reduce((p, [, v]) => p + v.ms, 0) / steps;
// The median call: on a shared 2-core machine a kernel now and then waits milliseconds for a core,
// which the mean carries and the median does not (max shows those waits).
const medianMs = rows.reduce((p, [, v]) => p + (median(v.each) * v.calls) / steps, 0);
console.log(`${name} (${backend.detail}, ${backend.threads} threads), ${precision}, ${config}, batch ${batch}, tfjs' train function: ${((batch * 1000) / stepMs).toFixed(1)} samples/s, ` +
  `${stepMs.toFixed(1)} ms/step of which kernels ${kernelMs.toFixed(1)} ms (at each call's median ${medianMs.toFixed(1)} ms)`);
console.log(`before the steps, ${noise}`);
console.log('mean ms/step  calls/step  median ms/call  max ms/call  kernel and input shapes');
for (const [k, v] of rows.slice(0, 25)) {
  console.log(`${(v.ms / steps).toFixed(2).padStart(7)} ms  ${String(v.calls / steps).padStart(4)}x  ${median(v.each).toFixed(3).padStart(7)}  ${Math.max(...v.each).toFixed(2).padStart(6)}  ${k}`);
}
process.exit(0);
