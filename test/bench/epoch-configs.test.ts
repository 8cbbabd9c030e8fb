import { describe, expect, it } from 'vitest';
import { CORNERS, ISSUE_17, configLabel, parseConfig, parseConfigList, speedRatio, toHyperparameters } from '../../bench/epoch-configs.js';

describe('bench:epochs configurations', () => {
  it('parses CONV1kK1-CONV2kK2-DENSE with an optional learning rate', () => {
    expect(parseConfig('64k3-48k3-48')).toEqual({ conv1: 64, k1: 3, conv2: 48, k2: 3, dense: 48, lr: 0.001 });
    expect(parseConfig(' 128k5-32k5-112@0.01 ')).toEqual({ conv1: 128, k1: 5, conv2: 32, k2: 5, dense: 112, lr: 0.01 });
  });

  it('names what is wrong with a configuration', () => {
    expect(() => parseConfig('64-48-48')).toThrow(/expected CONV1kK1-CONV2kK2-DENSE/);
    expect(() => parseConfig('0k3-48k3-48')).toThrow(/at least 1/);
    expect(() => parseConfig('64k15-48k15-48')).toThrow(/28x28/);
    expect(() => parseConfig('64k3-48k3-48@0')).toThrow(/learning rate/);
  });

  it('expands presets in order, without duplicates', () => {
    const all = parseConfigList('issue17,corners');
    expect(all.map(configLabel)).toEqual([...ISSUE_17, ...CORNERS].map((s) => configLabel(parseConfig(s))));
    expect(parseConfigList('32k3-32k3-32,corners')).toHaveLength(CORNERS.length);
    expect(parseConfigList('all-corners')).toHaveLength(32);
    expect(() => parseConfigList(' , ')).toThrow(/no configurations/);
  });

  it('the corners sample holds each extreme of each dimension of the notebook space', () => {
    const cs = CORNERS.map(parseConfig);
    for (const [key, lo, hi] of [['conv1', 32, 128], ['conv2', 32, 64], ['k1', 3, 5], ['k2', 3, 5], ['dense', 32, 128]] as const) {
      expect(new Set(cs.map((c) => c[key]))).toEqual(new Set([lo, hi]));
    }
  });

  it('maps to the template hyperparameters and states speed as PyTorch time ÷ service time', () => {
    expect(toHyperparameters(parseConfig('80k5-32k3-112'))).toEqual({
      conv_1_filter: 80, conv_1_kernel: 5, conv_2_filter: 32, conv_2_kernel: 3, dense_1_units: 112, learning_rate: 0.001,
    });
    expect(speedRatio(50, 25)).toBe(0.5);
    expect(speedRatio(40, 60)).toBe(1.5);
  });
});
