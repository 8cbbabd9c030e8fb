// How the benchmarks run their PyTorch baseline: which python3 imports torch, and the environment
// that gives PyTorch its best CPU settings. glibc's default malloc mmaps each step's large buffers
// (activations, gradients: several MB) and page-faults them anew every step (issue 17); PyTorch's
// own CPU guide advises jemalloc or tcmalloc instead. BLAS runs single-threaded under PyTorch's
// OpenMP threads (its intra-op threads already split the work), and OpenMP gets one thread a core.
// GNU OpenMP spin-waits at barriers by default; native's threads wait passively because spinning
// lost on this 2-core machine (bench/RESULTS.md), so PyTorch is offered both.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export const ALLOCATORS = ['default', 'glibc-tunables', 'jemalloc', 'tcmalloc'] as const;
export type Allocator = (typeof ALLOCATORS)[number];

const LIBS = '/usr/lib/x86_64-linux-gnu';
const PRELOAD: Partial<Record<Allocator, string>> = {
  jemalloc: `${LIBS}/libjemalloc.so.2`, // Debian's libjemalloc2
  tcmalloc: `${LIBS}/libtcmalloc_minimal.so.4`, // Debian's libtcmalloc-minimal4
};
// Large blocks stay in malloc's heap instead of going back to the kernel after each step.
const TUNABLES = 'glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=1073741824';

export function isAllocator(s: string): s is Allocator {
  return (ALLOCATORS as readonly string[]).includes(s);
}

/** Why `a` cannot run here (its library is not installed), or undefined when it can. */
export function allocatorMissing(a: Allocator): string | undefined {
  const lib = PRELOAD[a];
  return lib && !existsSync(lib) ? `${lib} not found (Debian: ${a === 'jemalloc' ? 'libjemalloc2' : 'libtcmalloc-minimal4'})` : undefined;
}

/** The --allocator argument checked: a known allocator whose library is installed. */
export function allocatorArg(s: string): Allocator {
  if (!isAllocator(s)) throw new Error(`unknown --allocator '${s}'`);
  const missing = allocatorMissing(s);
  if (missing) throw new Error(`--allocator ${s}: ${missing}`);
  return s;
}

export const OMP_WAITS = ['default', 'passive', 'active'] as const;
export type OmpWait = (typeof OMP_WAITS)[number];
export const isOmpWait = (s: string): s is OmpWait => (OMP_WAITS as readonly string[]).includes(s);

/** The environment of a PyTorch child: `threads` OpenMP threads, one BLAS thread, allocator `a`, OpenMP wait policy `wait`. */
export function torchEnv(threads: number, a: Allocator, wait: OmpWait = 'default', base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', HYPERTUNE_BENCH_ALLOCATOR: a,
  };
  delete env.LD_PRELOAD;
  delete env.GLIBC_TUNABLES;
  delete env.OMP_WAIT_POLICY;
  if (wait !== 'default') env.OMP_WAIT_POLICY = wait;
  if (a === 'glibc-tunables') env.GLIBC_TUNABLES = TUNABLES;
  const lib = PRELOAD[a];
  if (lib) env.LD_PRELOAD = lib;
  return env;
}

/** A python3 that imports torch (Debian's python3-torch lives in /usr/bin/python3's path, not a pyenv's). */
export function findTorchPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}

export const TORCH_MISSING = 'PyTorch not found (WITH_PYTORCH=1 scripts/ensure-deps.sh, or Debian: apt-get install python3-torch libopenblas0-pthread libjemalloc2 libtcmalloc-minimal4): no baseline';
