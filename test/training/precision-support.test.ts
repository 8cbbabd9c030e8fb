// Where training.precision 'bf16' is refused: at POST /searches when TRAINING_BACKEND names a
// backend that cannot run it, and, where the worker's backend is only known at trial time
// ('auto'), by the engine when a trial starts: a TrainingError, so the trial fails for good
// (trialOutcomeOf: not retried) with the reason, before any data is read.
import { describe, expect, it, vi } from 'vitest';
import { TrainingError } from '../../src/domain/errors.js';
import type { DatasetSource } from '../../src/domain/dataset-source.js';
import { trialOutcomeOf } from '../../src/domain/trial-state.js';
import { TfjsTrainingEngine } from '../../src/training/engine.js';
import { deploymentPrecisionSupport, nativeBf16UnavailableReason, precisionUnavailableReason } from '../../src/training/precision-support.js';
import { NOTEBOOK_MODEL } from '../fixtures/reference-search.js';
import { cpuFlags, oneDnnIsaCapped } from '../helpers/cpu-flags.js';
import { describeNative, describeNativeBf16 } from './native/availability.js';

describe('precision support', () => {
  it('fp32 is everywhere; bf16 is refused for every explicit backend but native, and left to the worker under auto', () => {
    for (const setting of ['auto', 'native', 'wasm', 'cpu', 'webgpu', 'tensorflow'] as const)
      expect(deploymentPrecisionSupport(setting)('fp32')).toBeUndefined();
    for (const setting of ['wasm', 'cpu', 'webgpu', 'tensorflow'] as const)
      expect(deploymentPrecisionSupport(setting)('bf16')).toBe(`'bf16' needs the native backend (oneDNN) on a CPU with AVX512_BF16; TRAINING_BACKEND is '${setting}'`);
    expect(deploymentPrecisionSupport('auto')('bf16')).toBeUndefined();
    expect(precisionUnavailableReason('wasm', 'bf16')).toBe("'bf16' needs the native backend (oneDNN) on a CPU with AVX512_BF16; this worker trains on 'wasm'");
    expect(precisionUnavailableReason('wasm', 'fp32')).toBeUndefined();
  });

  it("fails a bf16 trial on a worker whose backend cannot run it, for good, before reading data", async () => {
    const datasets = { load: vi.fn() } as unknown as DatasetSource;
    const engine = new TfjsTrainingEngine('wasm', datasets);
    const err = await engine.train({
      model: NOTEBOOK_MODEL, dataset: { id: 'fashion-mnist', limit: 100 }, seed: 1,
      training: { epochs: 1, batchSize: 32, validationSplit: 0.1, precision: 'bf16' }, onEpochEnd: async () => 'continue',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingError);
    expect(trialOutcomeOf(err)).toEqual({
      status: 'failed', retry: false,
      message: "training.precision: 'bf16' needs the native backend (oneDNN) on a CPU with AVX512_BF16; this worker trains on 'wasm'",
    });
    expect(datasets.load).not.toHaveBeenCalled();
  });
});

describeNativeBf16('precision support on a host with AVX512_BF16', () => {
  it('accepts bf16 under TRAINING_BACKEND=native and on a native worker', () => {
    expect(deploymentPrecisionSupport('native')('bf16')).toBeUndefined();
    expect(precisionUnavailableReason('native', 'bf16')).toBeUndefined();
  });
});

describeNative('precision support against the CPU the kernel reports', () => {
  // The probe decides what POST /searches accepts; a wrong one would refuse bf16 on a CPU that has
  // it or accept it on one that would run it on oneDNN's reference kernels.
  // CPUs with AMX list avx512_bf16 too.
  it.runIf(process.platform === 'linux' && !oneDnnIsaCapped())('finds bf16 exactly where /proc/cpuinfo lists avx512_bf16', () => {
    expect(nativeBf16UnavailableReason() === undefined).toBe(cpuFlags().includes('avx512_bf16'));
  });

  // Where it has bf16, the block above checks that bf16 is accepted (CI requires it there).
  it.runIf(nativeBf16UnavailableReason() !== undefined)('refuses bf16 under TRAINING_BACKEND=native and on a native worker on a CPU without it, saying what the CPU lacks', () => {
    const why = nativeBf16UnavailableReason();
    expect(why).toMatch(/^this CPU has no AVX512_BF16 \(oneDNN [\d.]+'s effective ISA is 0x[0-9a-f]+\)$/);
    expect(deploymentPrecisionSupport('native')('bf16')).toBe(`'bf16' needs the native backend (oneDNN) on a CPU with AVX512_BF16 (TRAINING_BACKEND is 'native'): ${why}`);
    expect(precisionUnavailableReason('native', 'bf16')).toBe(`'bf16' needs the native backend (oneDNN) on a CPU with AVX512_BF16: ${why}`);
  });
});
