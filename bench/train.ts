// npm run bench:train -- [--backends native,wasm,...] [--batches 32,128] [--seconds 10] [--threads N]
//   [--repeats 3] [--allocators default,glibc-tunables,jemalloc,tcmalloc] [--omp-waits default,passive]
//   [--precision fp32 | bf16 | fp32,bf16]
//   [--pytorch cpu|cuda|none] [--pytorch-device cuda] [--python /path/to/python3]
// --pytorch cuda: the baseline is PyTorch on the GPU (bench/pytorch-cuda-train.py, on --pytorch-device:
// `cpu` there only checks the script), for the GPU backends; a backend name this checkout does not
// have yet gives an "unavailable" row instead of an error.
// Training throughput (samples/s) of the notebook's best model (conv 64/k3, conv 48/k3, dense 48;
// 1,355,978 params) on real Fashion-MNIST batches, on each backend, against PyTorch on the CPU with
// the same model, data, batch and threads. PyTorch gets its best CPU settings (bench/pytorch-env.ts):
// one BLAS thread under its OpenMP threads, threads = cores, and each allocator of --allocators
// with each OpenMP wait policy of --omp-waits; the baseline is the setting with the best median.
// Every measurement is a fresh process, and each repeat runs all of them in turn (the order
// reversed every other repeat), so load that drifts during the run shows as spread rather than
// favouring one side. --precision: each backend is measured at each precision listed (bf16: the
// training.precision a trial would use, native on AVX512_BF16 only; elsewhere a row says why not);
// PyTorch always in float32.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { busyWarning, describePreemption, load, machine, preemption } from './machine.js';
import { allocatorMissing, findTorchPython, isAllocator, isOmpWait, TORCH_MISSING, torchEnv, type Allocator, type OmpWait } from './pytorch-env.js';
import { median, spread } from './stats.js';
import { BACKEND_NAMES, isBackendName } from '../src/training/backend-names.js';
import { isPrecision, PRECISIONS, type Precision } from '../src/domain/precision.js';

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: BACKEND_NAMES.join(',') },
    batches: { type: 'string', default: '32,128' },
    seconds: { type: 'string', default: '10' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    repeats: { type: 'string', default: '3' },
    allocators: { type: 'string', default: 'default,glibc-tunables,jemalloc,tcmalloc' },
    'omp-waits': { type: 'string', default: 'default,passive' },
    precision: { type: 'string', default: 'fp32' },
    pytorch: { type: 'string', default: 'cpu' },
    'pytorch-device': { type: 'string', default: 'cuda' },
    python: { type: 'string' },
  },
});
const seconds = Number(args.seconds);
const threads = Number(args.threads);
const repeats = Number(args.repeats);
if (!(repeats >= 1)) throw new Error(`--repeats must be at least 1, got ${args.repeats}`);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

interface Run { engine: string; batch: number; samplesPerSecond?: number; unavailable?: string; [k: string]: unknown }

function lastJson(stdout: string): Run {
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`no result in: ${stdout.slice(-500)}`);
  return JSON.parse(line) as Run;
}

function runPytorch(py: string, batch: number, allocator: Allocator, wait: OmpWait): Run {
  const out = execFileSync(py, [here('./pytorch-train.py'), String(batch), String(threads), String(seconds)], { env: torchEnv(threads, allocator, wait), encoding: 'utf8' });
  return lastJson(out);
}

function runPytorchCuda(py: string, batch: number): Run {
  const out = execFileSync(py, [here('./pytorch-cuda-train.py'), String(batch), String(seconds), '--device', args['pytorch-device']], { encoding: 'utf8' });
  return lastJson(out);
}

function runTfjs(backend: string, batch: number, precision: Precision): Run {
  if (!isBackendName(backend)) return { engine: backend, batch, unavailable: `not built yet: no backend named ${backend} in src/training/backend-names.ts` };
  // The cpu backend takes seconds per step: two steps say enough.
  const budget = backend === 'cpu' ? 0 : seconds;
  const out = execFileSync(process.execPath, ['--import', 'tsx', here('./train-child.ts'), backend, String(batch), String(budget), String(threads), precision], {
    encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' }, maxBuffer: 16 * 1024 * 1024,
  });
  return lastJson(out);
}

if (!['cpu', 'cuda', 'none'].includes(args.pytorch)) throw new Error(`--pytorch must be cpu, cuda or none, got ${args.pytorch}`);
const py = args.pytorch === 'none' ? undefined : args.python ?? findTorchPython();
const allocators = args.allocators.split(',').filter(Boolean).map((a) => {
  if (!isAllocator(a)) throw new Error(`unknown allocator '${a}' in --allocators`);
  return a;
}).filter((a) => {
  const why = allocatorMissing(a);
  if (why) console.log(`allocator ${a} skipped: ${why}`);
  return !why;
});
const waits = args['omp-waits'].split(',').filter(Boolean).map((w) => {
  if (!isOmpWait(w)) throw new Error(`unknown OpenMP wait policy '${w}' in --omp-waits`);
  return w;
});
const precisions = args.precision.split(',').filter(Boolean).map((p) => {
  if (!isPrecision(p)) throw new Error(`unknown precision '${p}' in --precision (${PRECISIONS.join(', ')})`);
  return p;
});
// An engine: a backend at a precision ("native", "native bf16").
const backends = args.backends.split(',').filter(Boolean).flatMap((b) => precisions.map((p) => ({ backend: b, precision: p, key: p === 'fp32' ? b : `${b} ${p}` })));
type Job = { key: string; run: (batch: number) => Run };
const jobs: Job[] = [
  ...(py && args.pytorch === 'cuda' ? [{ key: `pytorch ${args['pytorch-device']}`, run: (b: number) => runPytorchCuda(py, b) }] : []),
  ...(py && args.pytorch === 'cpu' ? allocators.flatMap((a) => waits.map((w) => ({ key: `pytorch allocator ${a}, OpenMP wait ${w}`, run: (b: number) => runPytorch(py, b, a, w) }))) : []),
  ...backends.map((e) => ({ key: e.key, run: (batch: number) => runTfjs(e.backend, batch, e.precision) })),
];
const rows: string[] = [];
console.log(`${machine()}; threads ${threads}, ${seconds} s per measurement, ${repeats} repeats; load before: ${load()}; ${describePreemption(await preemption())}`);
const busy = busyWarning();
if (busy) console.log(busy);
for (const batch of args.batches.split(',').map(Number)) {
  const runs = new Map<string, Run[]>(jobs.map((j) => [j.key, []]));
  for (let r = 0; r < repeats; r++) {
    for (const job of r % 2 ? [...jobs].reverse() : jobs) {
      const result = job.run(batch);
      console.log(JSON.stringify({ repeat: r + 1, ...result }));
      runs.get(job.key)!.push(result);
    }
  }
  const rates = (key: string) => runs.get(key)!.flatMap((r) => (r.samplesPerSecond ? [r.samplesPerSecond] : []));
  const torchKeys = jobs.filter((j) => j.key.startsWith('pytorch ')).map((j) => j.key);
  const best = torchKeys.sort((a, b) => median(rates(b)) - median(rates(a)))[0];
  const baseline = best && rates(best).length ? median(rates(best)) : undefined;
  for (const key of torchKeys) {
    const first = runs.get(key)![0];
    if (first.device) { // bench/pytorch-cuda-train.py
      rows.push(first.unavailable
        ? `| ${batch} | PyTorch on ${first.device} | unavailable: ${first.unavailable} | – |`
        : `| ${batch} | PyTorch ${first.version} on ${first.deviceName} (TF32 convolutions ${first.cudnnTf32 ? 'on' : 'off'}, matmuls ${first.matmulTf32 ? 'on' : 'off'}: the baseline) | ${spread(rates(key))} | 1.00 |`);
      continue;
    }
    const blas = (first.blas as string[]).some((l) => l.includes('openblas')) ? 'OpenBLAS' : 'reference BLAS';
    rows.push(`| ${batch} | PyTorch ${first.version} CPU (${blas}, ${key.slice(8)}${key === best ? ': the baseline' : ''}) | ${spread(rates(key))} | ${(median(rates(key)) / baseline!).toFixed(2)} |`);
  }
  for (const { key: b } of backends) {
    const first = runs.get(b)![0];
    rows.push(first.unavailable
      ? `| ${batch} | ${b} | unavailable: ${first.unavailable} | – |`
      : `| ${batch} | ${b} (${first.detail}, ${first.threads ?? '–'} threads) | ${spread(rates(b))} | ${baseline ? (median(rates(b)) / baseline).toFixed(2) : '–'} |`);
  }
}
if (!py && args.pytorch !== 'none') console.log(TORCH_MISSING);
console.log(`load after: ${load()}; ${describePreemption(await preemption())}; samples/s as median (min–max) of ${repeats} runs`);
console.log(['', '| batch | engine | samples/s | × PyTorch (best setting) |', '| --- | --- | --- | --- |', ...rows].join('\n'));
