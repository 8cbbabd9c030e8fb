// npm run bench:epochs -- [--configs issue17,corners] [--repeats 3] [--limit 60000] [--epochs 2]
//   [--backend native] [--precision fp32|bf16|fp32,bf16] [--threads N] [--allocator glibc-tunables] [--omp-wait default]
// Whole epochs of a sample of the notebook's search space (issue 17): by default the five
// configurations of the notebook's seed-42 search and four corners of the space (bench/epoch-configs.ts;
// or a list like 64k3-48k3-48,32k5-64k3-128), each trained
//   (a) through the real TrialRunner (bench/epochs-child.ts): the epoch's `durationMs` as the API
//       reports it (training and validation), and fit's whole time per epoch (adds the tensors'
//       setup, epoch-end bookkeeping and the per-epoch checkpoint saved to the store), and
//   (b) in PyTorch with the same layers, Keras' initialisation, Adam (eps 1e-7), batch 32 and the
//       same split (first --limit images, the last 10% validating; bench/pytorch-epochs.py), on
//       its best CPU settings (bench/pytorch-env.ts): training loop plus validation.
// Each repeat runs every configuration on both sides, the side that goes first rotating, each
// in a fresh process. Reported per configuration: median (min–max) seconds per epoch and the
// service's speed ÷ PyTorch's (above 1: the service is faster). --epochs 2 by default so that a
// checkpoint is saved (a trial's last epoch saves none); epoch 1 includes each side's warm-up.
// --precision bf16: the service's trials set training.precision 'bf16' (native on AVX512_BF16
// only); PyTorch stays float32, so the ratio is mixed precision against its float32. A list
// (fp32,bf16) runs each precision in every repeat, interleaved, and adds bf16 ÷ fp32 per repeat.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { configLabel, parseConfigList, speedRatio, type EpochConfig } from './epoch-configs.js';
import { busyWarning, describePreemption, load, machine, preemption } from './machine.js';
import { intArg, precisionArg, runLabel as label, runService, runTorch, type RunSettings } from './epoch-runs.js';
import { allocatorArg, findTorchPython, isOmpWait, TORCH_MISSING, type OmpWait } from './pytorch-env.js';
import { mean, median, spread } from './stats.js';
import type { Precision } from '../src/domain/precision.js';

const { values: args } = parseArgs({
  options: {
    configs: { type: 'string', default: 'issue17,corners' },
    repeats: { type: 'string', default: '3' },
    limit: { type: 'string', default: '60000' },
    epochs: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'native' },
    precision: { type: 'string', default: 'fp32' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    // PyTorch's settings: the best that bench:train measured on the machine (see bench/RESULTS.md).
    allocator: { type: 'string', default: 'glibc-tunables' },
    'omp-wait': { type: 'string', default: 'default' },
  },
});
const repeats = intArg('repeats', args.repeats, 1);
const limit = intArg('limit', args.limit, 20);
const epochs = intArg('epochs', args.epochs, 1);
const threads = intArg('threads', args.threads, 1);
const configs = parseConfigList(args.configs);
// Several precisions (fp32,bf16) run interleaved with each other and PyTorch, so bf16 ÷ fp32 is a same-repeat ratio.
const precisions = [...new Set(args.precision.split(',').map((p) => precisionArg(p.trim())))];
const allocator = allocatorArg(args.allocator);
if (!isOmpWait(args['omp-wait'])) throw new Error(`unknown --omp-wait '${args['omp-wait']}'`);
const wait: OmpWait = args['omp-wait'];
const py = findTorchPython();
// The notebook search's seed (42) on the service's side, as before seeds were an argument.
const SEED = 42;
const run: RunSettings = { backend: args.backend, threads, limit, epochs, seed: SEED };
/** Seconds per epoch on the service's side, for one repeat of one configuration in one precision. */
interface ServiceSide { epochS: number; fitPerEpochS: number; checkpointMs?: number; valAcc: number }
/** One repeat of one configuration: each precision's run and PyTorch's. */
interface Pair { service: Partial<Record<Precision, ServiceSide>>; torchS?: number; torchValAcc?: number }

const train = Math.floor(limit * 0.9);
console.log(`${machine()}; load before: ${load()}; ${describePreemption(await preemption())}`);
const busy = busyWarning();
if (busy) console.log(busy);
console.log(`${configs.length} configurations × ${repeats} repeats; ${train} training + ${limit - train} validation images, batch 32, ${epochs} epoch(s) a run; ` +
  `service: ${args.backend} backend, ${precisions.join(' and ')}, ${threads} threads; PyTorch: ${py ? `${threads} threads, 1 BLAS thread, allocator ${allocator}, OpenMP wait ${wait}` : 'not found'}`);
if (!py) console.log(TORCH_MISSING);
const pairs = new Map<EpochConfig, Pair[]>(configs.map((c) => [c, []]));
let torchInfo = '';
for (let r = 0; r < repeats; r++) {
  for (const [i, c] of configs.entries()) {
    // Rotate which side goes first, so none always runs on the machine another left behind.
    const sides: (Precision | 'torch')[] = [...(py ? ['torch' as const] : []), ...precisions];
    const order = sides.map((_, k) => sides[(k + r + i) % sides.length]);
    const pair: Pair = { service: {} };
    const runs: Record<string, unknown> = {};
    for (const side of order) {
      if (side === 'torch') {
        const t = runTorch(py!, c, run, allocator, wait);
        torchInfo = `PyTorch ${t.version}, ${t.blas.some((l) => l.includes('openblas')) ? 'OpenBLAS' : 'reference BLAS'}`;
        Object.assign(pair, { torchS: mean(t.epochs.map((e) => e.seconds)), torchValAcc: t.epochs.at(-1)?.valAccuracy });
        runs.pytorch = t;
      } else {
        const s = runService(c, { ...run, precision: side });
        pair.service[side] = {
          epochS: mean(s.epochs.map((e) => e.durationMs)) / 1000, fitPerEpochS: s.phases.fitMs / epochs / 1000,
          // No checkpoint follows a trial's last epoch: a 1-epoch run has none.
          checkpointMs: s.checkpointMs.length ? mean(s.checkpointMs) : undefined, valAcc: s.epochs.at(-1)!.valAccuracy,
        };
        runs[side] = s;
      }
    }
    pairs.get(c)!.push(pair);
    console.log(JSON.stringify({ repeat: r + 1, config: label(c), order, ...pair, runs }));
  }
}

/** The repeats' values of `f`, where it has one. */
const values = (ps: Pair[], f: (p: Pair) => number | undefined) => ps.flatMap((p) => { const v = f(p); return v === undefined ? [] : [v]; });
const col = (ps: Pair[], f: (p: Pair) => number | undefined, digits = 1) => spread(values(ps, f), digits);
const ratio = (ps: Pair[], f: (p: Pair) => number | undefined) => {
  const [torch, ours] = [values(ps, (p) => p.torchS), values(ps, f)];
  return torch.length && ours.length ? speedRatio(median(ours), median(torch)).toFixed(2) : '–';
};
console.log(`\nload after: ${load()}; ${describePreemption(await preemption())}. ${torchInfo}. Seconds per epoch, median (min–max) of ${repeats} runs; ratio: the service's speed ÷ PyTorch's, from the medians.`);
for (const precision of precisions) {
  const side = (f: (s: ServiceSide) => number | undefined) => (p: Pair) => { const s = p.service[precision]; return s && f(s); };
  console.log(`\nService in ${precision}${precision === 'fp32' ? '' : ' (PyTorch in float32)'}:\n`);
  console.log('| configuration (conv 1, conv 2, dense) | service epoch s (`durationMs`) | service fit s per epoch (with checkpoint) | checkpoint save ms | PyTorch epoch s | ÷ PyTorch (epoch) | ÷ PyTorch (fit per epoch) | val_accuracy after the last epoch: service / PyTorch |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [c, ps] of pairs) {
    console.log(`| ${configLabel(c)} | ${col(ps, side((s) => s.epochS))} | ${col(ps, side((s) => s.fitPerEpochS))} | ${col(ps, side((s) => s.checkpointMs), 0)} | ` +
      `${col(ps, (p) => p.torchS)} | ${ratio(ps, side((s) => s.epochS))} | ${ratio(ps, side((s) => s.fitPerEpochS))} | ${col(ps, side((s) => s.valAcc), 4)} / ${col(ps, (p) => p.torchValAcc, 4)} |`);
  }
}
// Each other precision against the first (fp32), repeat by repeat: both ran within the same minutes.
for (const precision of precisions.slice(1)) {
  const base = precisions[0];
  console.log(`\n${precision} ÷ ${base} speed per epoch, per repeat (same repeat, interleaved) and median:\n`);
  console.log(`| configuration | epoch, per repeat | epoch, median | fit per epoch (with checkpoint), median |`);
  console.log('| --- | --- | --- | --- |');
  for (const [c, ps] of pairs) {
    const per = (f: (s: ServiceSide) => number) => ps.map((p) => f(p.service[base]!) / f(p.service[precision]!));
    const epoch = per((s) => s.epochS);
    console.log(`| ${configLabel(c)} | ${epoch.map((x) => x.toFixed(2)).join(', ')} | **${median(epoch).toFixed(2)}** | ${median(per((s) => s.fitPerEpochS)).toFixed(2)} |`);
  }
}
