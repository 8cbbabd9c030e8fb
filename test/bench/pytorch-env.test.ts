import { describe, expect, it } from 'vitest';
import { torchEnv } from '../../bench/pytorch-env.js';

describe("PyTorch baseline's environment", () => {
  const inherited = { PATH: '/usr/bin', LD_PRELOAD: '/x/libfoo.so', GLIBC_TUNABLES: 'glibc.malloc.x=1', OMP_WAIT_POLICY: 'active' };

  it('gives OpenMP one thread a core and BLAS one thread, and drops inherited allocator settings', () => {
    const env = torchEnv(4, 'default', 'default', inherited);
    expect(env).toMatchObject({ PATH: '/usr/bin', OMP_NUM_THREADS: '4', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', HYPERTUNE_BENCH_ALLOCATOR: 'default' });
    expect(env.LD_PRELOAD).toBeUndefined();
    expect(env.GLIBC_TUNABLES).toBeUndefined();
    expect(env.OMP_WAIT_POLICY).toBeUndefined();
  });

  it('sets the allocator and wait policy asked for, one allocator at a time', () => {
    const tunables = torchEnv(2, 'glibc-tunables', 'passive', inherited);
    expect(tunables.GLIBC_TUNABLES).toBe('glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=1073741824');
    expect(tunables.LD_PRELOAD).toBeUndefined();
    expect(tunables.OMP_WAIT_POLICY).toBe('passive');
    const jemalloc = torchEnv(2, 'jemalloc', 'default', inherited);
    expect(jemalloc.LD_PRELOAD).toMatch(/libjemalloc\.so\.2$/);
    expect(jemalloc.GLIBC_TUNABLES).toBeUndefined();
    expect(torchEnv(2, 'tcmalloc', 'default', inherited).LD_PRELOAD).toMatch(/libtcmalloc_minimal\.so\.4$/);
  });
});
