// npm run bench:gpu-concurrency -- [--backend cuda] [--processes 1,2,4,8] [--batch 32] [--seconds 10]
//   [--threads N]
// How aggregate training throughput grows with concurrent trial processes on one machine (one GPU
// card for the GPU backends), as a GPU worker with WORKER_CONCURRENCY runs them: for each count N,
// N fresh bench/train-child.ts processes (the notebook's best model on real Fashion-MNIST batches)
// train at once. Each warms up, then waits at a barrier until all N are ready, so the timed windows
// coincide and the aggregate is the sum of their rates. Runs on any backend (--backend native or
// wasm checks it on a CPU). Prints one JSON line per N and a table.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isBackendName } from '../src/training/backend-names.js';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cuda' },
    processes: { type: 'string', default: '1,2,4,8' },
    batch: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '10' },
    threads: { type: 'string' },
  },
});
const child = fileURLToPath(new URL('./train-child.ts', import.meta.url));
const READY_TIMEOUT_MS = 180_000; // N processes loading tfjs, the data and a device context at once

interface ChildResult { samplesPerSecond?: number; unavailable?: string; steps?: number; seconds?: number; detail?: string }
interface Level { processes: number; aggregateSamplesPerSecond?: number; perProcess?: number[]; unavailable?: string }

/** N train-child processes behind one barrier; resolves with each one's JSON line. */
async function level(n: number): Promise<Level> {
  const barrier = mkdtempSync(path.join(os.tmpdir(), 'gpu-concurrency-'));
  // CPU backends share the cores; GPU ones need a thread or two each for the host side.
  const threads = args.threads ?? String(Math.max(1, Math.floor(os.availableParallelism() / n)));
  const exited: Promise<ChildResult>[] = [];
  let gone = 0;
  for (let i = 0; i < n; i++) {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, args.backend, args.batch, args.seconds, threads], {
      env: { ...process.env, LOG_LEVEL: 'warn', HYPERTUNE_BENCH_BARRIER: barrier }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => { out += d; });
    exited.push(new Promise((resolve) => proc.on('exit', (code) => {
      gone++;
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      resolve(line ? JSON.parse(line) as ChildResult : { unavailable: `train-child exited ${code} without a result` });
    })));
  }
  // Go once all are warmed up, or give up when one ended early (a backend that cannot start here).
  const until = Date.now() + READY_TIMEOUT_MS;
  while (readdirSync(barrier).filter((f) => f.startsWith('ready-')).length < n && gone === 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
  }
  writeFileSync(path.join(barrier, 'go'), '');
  const results = await Promise.all(exited);
  rmSync(barrier, { recursive: true, force: true });
  const failed = results.find((r) => r.samplesPerSecond === undefined);
  if (failed) return { processes: n, unavailable: failed.unavailable ?? 'no result' };
  const perProcess = results.map((r) => r.samplesPerSecond!);
  return { processes: n, aggregateSamplesPerSecond: perProcess.reduce((a, b) => a + b, 0), perProcess };
}

const rows: string[] = [];
let one: number | undefined;
if (!isBackendName(args.backend)) {
  console.log(JSON.stringify({ backend: args.backend, unavailable: `not built yet: no backend named ${args.backend} in src/training/backend-names.ts` }));
} else {
  for (const n of args.processes.split(',').map(Number)) {
    const result = await level(n);
    console.log(JSON.stringify({ backend: args.backend, batch: Number(args.batch), ...result }));
    if (result.unavailable) { rows.push(`| ${n} | unavailable: ${result.unavailable} | – | – |`); break; }
    const total = result.aggregateSamplesPerSecond!;
    one ??= n === 1 ? total : undefined;
    rows.push(`| ${n} | ${Math.round(total)} | ${result.perProcess!.map(Math.round).join(', ')} | ${one ? (total / one).toFixed(2) : '–'} |`);
  }
}
console.log([`\n${args.backend}, batch ${args.batch}, ${args.seconds} s per process`, '| processes | aggregate samples/s | each | × one process |', '| --- | --- | --- | --- |', ...rows].join('\n'));
