// npm run bench:epochs -- [--configs issue17,corners] [--repeats 3] [--limit 60000] [--epochs 2]
//   [--backend native] [--precision fp32|bf16] [--threads N] [--allocator glibc-tunables] [--omp-wait default]
// Whole epochs of a sample of the notebook's search space (issue 17): by default the five
// configurations of the notebook's seed-42 search and four corners of the space (bench/epoch-configs.ts;
// or a list like 64k3-48k3-48,32k5-64k3-128), each trained
//   (a) through the real TrialRunner (bench/epochs-child.ts): the epoch's `durationMs` as the API
//       reports it (training and validation), and fit's whole time per epoch (adds the tensors'
//       setup, epoch-end bookkeeping and the per-epoch checkpoint saved to the store), and
//   (b) in PyTorch with the same layers, Keras' initialisation, Adam (eps 1e-7), batch 32 and the
//       same split (first --limit images, the last 10% validating; bench/pytorch-epochs.py), on
//       its best CPU settings (bench/pytorch-env.ts): training loop plus validation.
// Each repeat runs every configuration on both sides, the side that goes first alternating, each
// in a fresh process. Reported per configuration: median (min–max) seconds per epoch and the
// service's speed ÷ PyTorch's (above 1: the service is faster). --epochs 2 by default so that a
// checkpoint is saved (a trial's last epoch saves none); epoch 1 includes each side's warm-up.
// --precision bf16: the service's trials set training.precision 'bf16' (native on AVX512_BF16
// only); PyTorch stays float32, so the ratio is mixed precision against its float32.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { configLabel, parseConfigList, speedRatio, type EpochConfig } from './epoch-configs.js';
import { busyWarning, load, machine } from './machine.js';
import { intArg, precisionArg, runLabel as label, runService, runTorch, type RunSettings } from './epoch-runs.js';
import { allocatorArg, findTorchPython, isOmpWait, TORCH_MISSING, type OmpWait } from './pytorch-env.js';
import { mean, median, spread } from './stats.js';

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
const precision = precisionArg(args.precision);
const allocator = allocatorArg(args.allocator);
if (!isOmpWait(args['omp-wait'])) throw new Error(`unknown --omp-wait '${args['omp-wait']}'`);
const wait: OmpWait = args['omp-wait'];
const py = findTorchPython();
// The notebook search's seed (42) on the service's side, as before seeds were an argument.
const SEED = 42;
const run: RunSettings = { backend: args.backend, threads, limit, epochs, seed: SEED, precision };
/** Seconds per epoch on each side, for one repeat of one configuration. */
interface Pair { epochS: number; fitPerEpochS: number; checkpointMs?: number; torchS?: number; valAcc: number; torchValAcc?: number }

const train = Math.floor(limit * 0.9);
console.log(`${machine()}; load before: ${load()}`);
const busy = busyWarning();
if (busy) console.log(busy);
console.log(`${configs.length} configurations × ${repeats} repeats; ${train} training + ${limit - train} validation images, batch 32, ${epochs} epoch(s) a run; ` +
  `service: ${args.backend} backend, ${precision}, ${threads} threads; PyTorch: ${py ? `${threads} threads, 1 BLAS thread, allocator ${allocator}, OpenMP wait ${wait}` : 'not found'}`);
if (!py) console.log(TORCH_MISSING);
const pairs = new Map<EpochConfig, Pair[]>(configs.map((c) => [c, []]));
let torchInfo = '';
for (let r = 0; r < repeats; r++) {
  for (const [i, c] of configs.entries()) {
    // Alternate which side goes first, so neither always runs on the machine the other left behind.
    const torchFirst = py !== undefined && (r + i) % 2 === 1;
    const t0 = torchFirst ? runTorch(py!, c, run, allocator, wait) : undefined;
    const s = runService(c, run);
    const t = t0 ?? (py ? runTorch(py, c, run, allocator, wait) : undefined);
    if (t) torchInfo = `PyTorch ${t.version}, ${t.blas.some((l) => l.includes('openblas')) ? 'OpenBLAS' : 'reference BLAS'}`;
    const pair: Pair = {
      epochS: mean(s.epochs.map((e) => e.durationMs)) / 1000, fitPerEpochS: s.phases.fitMs / epochs / 1000,
      // No checkpoint follows a trial's last epoch: a 1-epoch run has none.
      checkpointMs: s.checkpointMs.length ? mean(s.checkpointMs) : undefined, valAcc: s.epochs.at(-1)!.valAccuracy,
      torchS: t && mean(t.epochs.map((e) => e.seconds)), torchValAcc: t?.epochs.at(-1)?.valAccuracy,
    };
    pairs.get(c)!.push(pair);
    console.log(JSON.stringify({ repeat: r + 1, config: label(c), torchFirst, ...pair, service: s, pytorch: t }));
  }
}

const col = (ps: Pair[], f: (p: Pair) => number | undefined, digits = 1) => spread(ps.flatMap((p) => { const v = f(p); return v === undefined ? [] : [v]; }), digits);
const ratio = (ps: Pair[], f: (p: Pair) => number) => {
  const torch = ps.flatMap((p) => (p.torchS === undefined ? [] : [p.torchS]));
  return torch.length ? speedRatio(median(ps.map(f)), median(torch)).toFixed(2) : '–';
};
console.log(`\nload after: ${load()}. ${torchInfo}. Seconds per epoch, median (min–max) of ${repeats} runs; ratio: the service's speed ÷ PyTorch's, from the medians.\n`);
console.log('| configuration (conv 1, conv 2, dense) | service epoch s (`durationMs`) | service fit s per epoch (with checkpoint) | checkpoint save ms | PyTorch epoch s | ÷ PyTorch (epoch) | ÷ PyTorch (fit per epoch) | val_accuracy after the last epoch: service / PyTorch |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [c, ps] of pairs) {
  console.log(`| ${configLabel(c)} | ${col(ps, (p) => p.epochS)} | ${col(ps, (p) => p.fitPerEpochS)} | ${col(ps, (p) => p.checkpointMs, 0)} | ` +
    `${col(ps, (p) => p.torchS)} | ${ratio(ps, (p) => p.epochS)} | ${ratio(ps, (p) => p.fitPerEpochS)} | ${col(ps, (p) => p.valAcc, 4)} / ${col(ps, (p) => p.torchValAcc, 4)} |`);
}
