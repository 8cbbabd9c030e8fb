// Loads the oneDNN addon (native/build/Release/hypertune_native.node, built by
// scripts/build-native.mjs). OpenMP reads its settings when libgomp loads, so the thread count
// and the wait policy go into the environment first (see OpenMpWait).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type F32 = Float32Array;
/** bf16 values as their raw bits (JS has no bf16 array). */
type BF16 = Uint16Array;
type Nullable<T> = T | null;

/** What the addon exports (see native/src/*.cc). Every function writes into its output array. */
export interface NativeAddon {
  /** isa: oneDNN's effective cpu_isa mask; bf16: whether it runs bf16 convolutions and matmuls natively. */
  info(): { dnnl: string; threads: number; isa: number; bf16: boolean };
  setThreads(threads: number): void;
  conv2dForward(x: F32, filter: F32, bias: Nullable<F32>, y: F32, geometry: number[], relu: boolean): void;
  conv2dBackwardData(dy: F32, filter: F32, dx: F32, geometry: number[]): void;
  /** db, when given, receives the bias gradient from the same pass. */
  conv2dBackwardWeights(x: F32, dy: F32, dw: F32, geometry: number[], db?: F32): void;
  conv2dImpl(geometry: number[], kind: 'forward' | 'data' | 'weights'): string;
  matMul(a: F32, b: F32, c: F32, dims: number[], bias: Nullable<F32>, relu: boolean): void;
  binary(op: number, a: F32, b: F32, out: F32, layout: number, row: number): void;
  unary(op: number, x: F32, out: F32, alpha: number): void;
  sumLeading(x: F32, out: F32, outer: number, inner: number): void;
  sumTrailing(x: F32, out: F32, outer: number, inner: number): void;
  maxPool(x: F32, y: F32, geometry: number[]): void;
  maxPoolGrad(dy: F32, x: F32, dx: F32, geometry: number[]): void;
  avgPool(x: F32, y: F32, geometry: number[]): void;
  avgPoolGrad(dy: F32, dx: F32, geometry: number[]): void;
  // Mixed precision (bf16.cc, conv-bf16.cc, matmul-bf16.cc): bf16 inputs, float32 filters, bias and outputs.
  toBf16(x: F32, out: BF16): void;
  fromBf16(x: BF16, out: F32): void;
  /** dz = dy * step(y) over rows of `inner`, as bf16 or float32, and with db the column sums of dz (sumLeading's bits). */
  reluGradMixed(dy: F32, y: F32 | BF16, dz: F32 | BF16, db: Nullable<F32>, inner: number): void;
  /** y as bf16: oneDNN rounds the output (direct-step.ts, where only bf16 kernels read it). */
  conv2dForwardBf16(x: BF16, filter: F32, bias: Nullable<F32>, y: F32 | BF16, geometry: number[], relu: boolean, filterKey: number): void;
  conv2dBackwardDataBf16(dy: BF16, filter: F32, dx: F32, geometry: number[]): void;
  conv2dBackwardWeightsBf16(x: BF16, dy: BF16, dw: F32, geometry: number[]): void;
  conv2dImplBf16(geometry: number[], kind: 'forward' | 'data' | 'weights'): string;
  matMulBf16(a: BF16, b: BF16, c: F32, dims: number[], bias: Nullable<F32>, relu: boolean): void;
  matMulImplBf16(dims: [m: number, n: number, k: number, transA: number, transB: number]): string;
  /** pBf16: also p' rounded to bf16 (the copy a bf16 kernel reads). */
  adam(p: F32, m: F32, v: F32, g: F32, pOut: F32, mOut: F32, vOut: F32, scalars: number[], pBf16?: Nullable<BF16>): void;
}

export const ADDON_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../native/build/Release/hypertune_native.node');
export const NOT_BUILT = 'not built: run npm run build:native (needs g++ and libdnnl-dev)';

let loaded: { addon?: NativeAddon; reason?: string } | undefined;

/**
 * How OpenMP's idle workers wait for the next kernel. 'spin' (libgomp's default: spin a few ms,
 * then sleep) is for a process that only trains: a training step runs ~100 kernels with a little
 * JS between them, and a worker put to sleep after each one must be woken for the next (a step
 * took up to 1.4x as long passive on a busy 2-core machine; bench/RESULTS.md). 'passive' (sleep
 * at once) is for everything else: a spinning worker in the API would take a core from the event
 * loop after every prediction, and parallel test files would take cores from each other.
 */
export type OpenMpWait = 'spin' | 'passive';

/** Cores this process may use. */
export const defaultThreads = (): number => os.availableParallelism();

/**
 * The addon, or why it cannot load. Loads once per process; `threads` and `wait` apply to the first
 * load (an OMP_WAIT_POLICY set by the user wins over `wait`).
 */
export function loadAddon(threads = defaultThreads(), wait: OpenMpWait = 'passive'): { addon?: NativeAddon; reason?: string } {
  if (loaded) return loaded;
  if (!existsSync(ADDON_PATH)) return (loaded = { reason: NOT_BUILT });
  process.env.OMP_NUM_THREADS ??= String(threads);
  // Set only while libgomp loads and reads it: child processes (trials) must not inherit our
  // choice in place of their own.
  const ours = wait === 'passive' && process.env.OMP_WAIT_POLICY === undefined;
  if (ours) process.env.OMP_WAIT_POLICY = 'passive';
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
    addon.info(); // creates nothing, but fails fast on a broken libdnnl
    loaded = { addon };
  } catch (err) {
    loaded = { reason: `failed to load ${ADDON_PATH}: ${(err as Error).message}` };
  } finally {
    if (ours) delete process.env.OMP_WAIT_POLICY;
  }
  return loaded;
}
