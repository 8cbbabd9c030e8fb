// One configuration trained for whole epochs on each side, each in a fresh process: through the
// service's real TrialRunner (bench/epochs-child.ts) and in PyTorch (bench/pytorch-epochs.py).
// What bench:epochs (speed) and bench:parity (accuracy) both run.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EpochConfig } from './epoch-configs.js';
import { isPrecision, PRECISIONS, type Precision } from '../src/domain/precision.js';
import { torchEnv, type Allocator, type OmpWait } from './pytorch-env.js';

export interface RunSettings {
  backend: string; threads: number; limit: number; epochs: number;
  /** The search seed on the service's side, torch.manual_seed on PyTorch's. */
  seed: number;
  /** The service's training.precision (default fp32); PyTorch always trains in float32. */
  precision?: Precision;
  /** false: tfjs' own train function where the backend's direct step would run (bench:direct-step's baseline). */
  directStep?: boolean;
}
export interface ServiceRun {
  detail: string; outcome: string; epochs: { durationMs: number; valAccuracy: number }[];
  checkpointMs: number[]; phases: { fitMs: number }; wallMs: number;
}
export interface TorchRun { epochs: { seconds: number; valAccuracy: number }[]; version: string; blas: string[] }

/** A --precision option, or an error naming the ones there are. */
export function precisionArg(v: string): Precision {
  if (!isPrecision(v)) throw new Error(`--precision must be one of ${PRECISIONS.join(', ')}, got '${v}'`);
  return v;
}

/** A whole-number command-line option of at least `min`, or an error naming it. */
export function intArg(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
/** "64k3-48k3-48@0.001": the form parseConfig reads. */
export const runLabel = (c: EpochConfig) => `${c.conv1}k${c.k1}-${c.conv2}k${c.k2}-${c.dense}@${c.lr}`;

function lastJson<T>(stdout: string): T {
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`no result in: ${stdout.slice(-500)}`);
  return JSON.parse(line) as T;
}

export function runService(c: EpochConfig, s: RunSettings): ServiceRun {
  const out = execFileSync(process.execPath, [
    '--import', 'tsx', here('./epochs-child.ts'), s.backend, runLabel(c), String(s.limit), String(s.epochs), String(s.threads), String(s.seed), s.precision ?? 'fp32',
  ], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn', HYPERTUNE_DIRECT_STEP: s.directStep === false ? 'off' : 'on' }, maxBuffer: 16 * 1024 * 1024 });
  const r = lastJson<ServiceRun>(out);
  if (r.outcome !== 'completed' || r.epochs.length !== s.epochs) throw new Error(`trial of ${runLabel(c)} ended ${r.outcome} after ${r.epochs.length} epochs`);
  return r;
}

export function runTorch(py: string, c: EpochConfig, s: RunSettings, allocator: Allocator, wait: OmpWait): TorchRun {
  const out = execFileSync(py, [here('./pytorch-epochs.py'), JSON.stringify(c), String(s.threads), String(s.limit), String(s.epochs), String(s.seed)], {
    encoding: 'utf8', env: torchEnv(s.threads, allocator, wait), maxBuffer: 16 * 1024 * 1024,
  });
  return lastJson<TorchRun>(out);
}
