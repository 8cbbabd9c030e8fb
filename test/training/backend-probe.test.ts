// Backend selection: explicit names, 'auto' for prediction, and the start-up probe of workers.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { BackendUnavailableError } from '../../src/training/backend-unavailable.js';
import { initBackend, initConfiguredBackend } from '../../src/training/backend.js';
import { probeFastest } from '../../src/training/backend-probe.js';

describe('backend selection', () => {
  it('names why tensorflow is unavailable when tfjs-node is not installed', async () => {
    const err = await initBackend('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).reason).toMatch(/@tensorflow\/tfjs-node-gpu is not installed; @tensorflow\/tfjs-node is not installed/);
  });

  it("'auto' without a probe takes the first backend that comes up, never the cpu one when another runs", async () => {
    const backend = await initConfiguredBackend('auto', { threads: 1 });
    expect(['tensorflow', 'native', 'wasm']).toContain(backend.name);
    expect(tf.getBackend()).toBe(backend.name);
  });

  it('the probe measures each candidate, explains the ones it skipped and activates the fastest', async () => {
    const result = await probeFastest({ threads: 1, batchSize: 8, budgetMs: 200 }, ['tensorflow', 'wasm', 'cpu']);
    const [tensorflow, wasm, cpu] = result.entries;
    expect(tensorflow).toMatchObject({ name: 'tensorflow', reason: expect.stringContaining('not installed') });
    expect(wasm.samplesPerSecond).toBeGreaterThan(0);
    expect(cpu.samplesPerSecond).toBeGreaterThan(0);
    const fastest = wasm.samplesPerSecond! >= cpu.samplesPerSecond! ? 'wasm' : 'cpu';
    expect(result.chosen.name).toBe(fastest);
    expect(tf.getBackend()).toBe(fastest);
  }, 60_000);

  it('rejects an unknown TRAINING_BACKEND naming the allowed ones', () => {
    expect(() => loadConfig({ TRAINING_BACKEND: 'opencl' })).toThrow(/TRAINING_BACKEND must be one of auto, cuda, tensorflow, native, webgpu, wasm, cpu, got 'opencl'/);
    expect(loadConfig({ TRAINING_BACKEND: 'native', TRAINING_THREADS: '3' })).toMatchObject({ trainingBackend: 'native', trainingThreads: 3 });
  });
});
