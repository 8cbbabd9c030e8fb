// npm run bench:train -- [--backends native,wasm,...] [--batches 32,128] [--seconds 10] [--threads N]
// Training throughput (samples/s) of the notebook's best model (conv 64/k3, conv 48/k3, dense 48;
// 1,355,978 params) on each backend, against PyTorch on the CPU with the same model, batch and
// threads, measured in the same run. PyTorch runs before and after the tfjs backends of each
// batch size and the baseline is their mean, so load that drifts during the run shows as spread.
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { BACKEND_NAMES } from '../src/training/backend-names.js';

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: BACKEND_NAMES.join(',') },
    batches: { type: 'string', default: '32,128' },
    seconds: { type: 'string', default: '10' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
  },
});
const seconds = Number(args.seconds);
const threads = Number(args.threads);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

interface Run { engine: string; batch: number; samplesPerSecond?: number; unavailable?: string; [k: string]: unknown }

function lastJson(stdout: string): Run {
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`no result in: ${stdout.slice(-500)}`);
  return JSON.parse(line) as Run;
}

/** A python3 that imports torch (Debian's python3-torch lives in /usr/bin/python3's path). */
function findTorchPython(): string | undefined {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}

function runPytorch(py: string, batch: number): Run {
  const env = { ...process.env, OMP_NUM_THREADS: String(threads) };
  return lastJson(execFileSync(py, [here('./pytorch-train.py'), String(batch), String(threads), String(seconds)], { env, encoding: 'utf8' }));
}

function runTfjs(backend: string, batch: number): Run {
  // The cpu backend takes seconds per step: two steps say enough.
  const budget = backend === 'cpu' ? 0 : seconds;
  const out = execFileSync(process.execPath, ['--import', 'tsx', here('./train-child.ts'), backend, String(batch), String(budget), String(threads)], {
    encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' }, maxBuffer: 16 * 1024 * 1024,
  });
  return lastJson(out);
}

const fmt = (n: number | undefined, digits = 1) => (n === undefined ? '–' : n.toFixed(digits));
const py = findTorchPython();
const backends = args.backends.split(',').filter(Boolean);
const rows: string[] = [];
console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.availableParallelism()}, threads ${threads}, ${seconds} s per measurement`);
for (const batch of args.batches.split(',').map(Number)) {
  const before = py ? runPytorch(py, batch) : undefined;
  const results = backends.map((b) => runTfjs(b, batch));
  const after = py ? runPytorch(py, batch) : undefined;
  const torchRates = [before, after].flatMap((r) => (r?.samplesPerSecond ? [r.samplesPerSecond] : []));
  const baseline = torchRates.length ? torchRates.reduce((a, b) => a + b, 0) / torchRates.length : undefined;
  if (before) {
    console.log(JSON.stringify(before));
    rows.push(`| ${batch} | PyTorch ${before.version} CPU (${(before.blas as string[]).some((l) => l.includes('openblas')) ? 'OpenBLAS' : 'reference BLAS'}) | ${fmt(before.samplesPerSecond)} → ${fmt(after?.samplesPerSecond)} | 1.00 |`);
  }
  for (const r of results) {
    console.log(JSON.stringify(r));
    const ratio = r.samplesPerSecond && baseline ? fmt(r.samplesPerSecond / baseline, 2) : '–';
    rows.push(r.unavailable
      ? `| ${batch} | ${r.engine} | unavailable: ${r.unavailable} | – |`
      : `| ${batch} | ${r.engine} (${r.detail}, ${r.threads ?? '–'} threads) | ${fmt(r.samplesPerSecond)} | ${ratio} |`);
  }
}
if (!py) console.log('PyTorch not found (Debian: apt-get install python3-torch libopenblas0-pthread): no baseline');
console.log(['', '| batch | engine | samples/s | × PyTorch |', '| --- | --- | --- | --- |', ...rows].join('\n'));
