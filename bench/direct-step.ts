// npm run bench:direct-step -- [--configs 32k3-32k3-32,32k3-32k5-64] [--repeats 3] [--limit 10000]
//   [--epochs 2] [--precision fp32] [--threads N]
// Native's direct training step (src/training/native/direct-step.ts) against tfjs' own train
// function on the same backend, same kernels, same weights bit for bit: whole epochs through the
// real TrialRunner (bench/epochs-child.ts, HYPERTUNE_DIRECT_STEP=off for the baseline), each run
// a fresh process, the two sides interleaved and the one that goes first alternating. Reported
// per configuration: the first and the later epochs' seconds, median (min–max), and the direct
// step's speed ÷ tfjs', per repeat (a pair that ran within the same minute) and their median.
// The first epoch holds each process' warm-up (V8 compiling tfjs' per-op code).
import os from 'node:os';
import { parseArgs } from 'node:util';
import { configLabel, parseConfigList } from './epoch-configs.js';
import { intArg, precisionArg, runService, type RunSettings, type ServiceRun } from './epoch-runs.js';
import { busyWarning, describePreemption, load, machine, preemption } from './machine.js';
import { mean, median, spread } from './stats.js';

const { values: args } = parseArgs({
  options: {
    configs: { type: 'string', default: '32k3-32k3-32,32k3-32k5-64' },
    repeats: { type: 'string', default: '3' },
    limit: { type: 'string', default: '10000' },
    epochs: { type: 'string', default: '2' },
    precision: { type: 'string', default: 'fp32' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
  },
});
const epochs = intArg('epochs', args.epochs, 2);
const repeats = intArg('repeats', args.repeats, 1);
const run: RunSettings = {
  backend: 'native', threads: intArg('threads', args.threads, 1), limit: intArg('limit', args.limit, 20), epochs, seed: 42,
  precision: precisionArg(args.precision),
};
const configs = parseConfigList(args.configs);

console.log(`${machine()}; load before: ${load()}; ${describePreemption(await preemption())}`);
const busy = busyWarning();
if (busy) console.log(busy);
console.log(`${configs.length} configurations × ${repeats} repeats; ${Math.floor(run.limit * 0.9)} training images, batch 32, ${epochs} epochs a run, native ${run.precision}, ${run.threads} threads`);

type Side = 'direct' | 'tfjs';
interface Sample { first: number; later: number; valAcc: number }
const sample = (r: ServiceRun): Sample => ({
  first: r.epochs[0].durationMs / 1000, later: mean(r.epochs.slice(1).map((e) => e.durationMs)) / 1000, valAcc: r.epochs.at(-1)!.valAccuracy,
});
const results = configs.map(() => ({ direct: [] as Sample[], tfjs: [] as Sample[] }));
for (let r = 0; r < repeats; r++) {
  for (const [i, c] of configs.entries()) {
    const order: Side[] = (r + i) % 2 === 0 ? ['tfjs', 'direct'] : ['direct', 'tfjs'];
    for (const side of order) results[i][side].push(sample(runService(c, { ...run, directStep: side === 'direct' })));
    console.log(JSON.stringify({ repeat: r + 1, config: configLabel(c), order, direct: results[i].direct.at(-1), tfjs: results[i].tfjs.at(-1) }));
  }
}

console.log(`\nload after: ${load()}; ${describePreemption(await preemption())}. Seconds per epoch, median (min–max) of ${repeats}; ratio: tfjs' time ÷ the direct step's.\n`);
console.log('| configuration | first epoch: tfjs / direct | ratio per repeat | later epochs: tfjs / direct | ratio per repeat | all epochs: ratio per repeat, median | val_accuracy tfjs / direct |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
const per = (a: Sample[], b: Sample[], f: (s: Sample) => number) => a.map((s, k) => (f(s) / f(b[k])).toFixed(2)).join(', ');
const whole = (s: Sample) => (s.first + s.later * (epochs - 1)) / epochs;
for (const [i, c] of configs.entries()) {
  const { direct, tfjs } = results[i];
  const col = (xs: Sample[], f: (s: Sample) => number) => spread(xs.map(f), 2);
  console.log(`| ${configLabel(c)} | ${col(tfjs, (s) => s.first)} / ${col(direct, (s) => s.first)} | ${per(tfjs, direct, (s) => s.first)} | ` +
    `${col(tfjs, (s) => s.later)} / ${col(direct, (s) => s.later)} | ${per(tfjs, direct, (s) => s.later)} | ` +
    `${per(tfjs, direct, whole)}: **${median(tfjs.map((s, k) => whole(s) / whole(direct[k]))).toFixed(2)}** | ${tfjs.map((s) => s.valAcc.toFixed(4)).join(', ')} / ${direct.map((s) => s.valAcc.toFixed(4)).join(', ')} |`);
}
