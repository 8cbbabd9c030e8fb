import { describe, expect, it } from 'vitest';
import { convInBf16, DEFAULT_BF16_POLICY, EVERY_KERNEL_BF16, matMulInBf16 } from '../../../src/training/native/bf16-policy.js';

describe('the bf16 policy', () => {
  it('runs a convolution in bf16 from its minimum of input channels on', () => {
    expect(convInBf16(DEFAULT_BF16_POLICY, 1)).toBe(false);
    expect(convInBf16(DEFAULT_BF16_POLICY, DEFAULT_BF16_POLICY.minConvInChannels - 1)).toBe(false);
    expect(convInBf16(DEFAULT_BF16_POLICY, DEFAULT_BF16_POLICY.minConvInChannels)).toBe(true);
    expect(convInBf16(EVERY_KERNEL_BF16, 1)).toBe(true);
  });

  it('judges a product by its middle dimension, whichever of m, n, k it is', () => {
    const policy = { minConvInChannels: 0, minMatMulMiddleDim: 48 };
    // The three products of a 27648 x 48 dense layer at batch 32: forward, input gradient, weight gradient.
    for (const [m, n, k] of [[32, 48, 27648], [32, 27648, 48], [27648, 48, 32]]) expect(matMulInBf16(policy, m, n, k)).toBe(true);
    for (const [m, n, k] of [[32, 47, 27648], [32, 27648, 47], [27648, 47, 32], [10, 10, 100000], [100000, 10, 10]]) expect(matMulInBf16(policy, m, n, k)).toBe(false);
    expect(matMulInBf16(policy, 48, 48, 48)).toBe(true);
    expect(matMulInBf16(EVERY_KERNEL_BF16, 1, 1, 1)).toBe(true);
  });
});
