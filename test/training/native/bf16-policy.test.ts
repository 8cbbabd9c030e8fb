import { describe, expect, it } from 'vitest';
import { AMX_BF16_POLICY, AVX512_BF16_POLICY, bf16PolicyFor, convInBf16, EVERY_KERNEL_BF16, matMulInBf16 } from '../../../src/training/native/bf16-policy.js';

describe('the bf16 policy', () => {
  it('runs a convolution in bf16 from its minimum of input channels on', () => {
    expect(convInBf16(AMX_BF16_POLICY, 1)).toBe(false);
    expect(convInBf16(AMX_BF16_POLICY, AMX_BF16_POLICY.minConvInChannels - 1)).toBe(false);
    expect(convInBf16(AMX_BF16_POLICY, AMX_BF16_POLICY.minConvInChannels)).toBe(true);
    expect(convInBf16(AVX512_BF16_POLICY, 1)).toBe(true);
    expect(convInBf16(EVERY_KERNEL_BF16, 1)).toBe(true);
  });

  it('judges a product by its middle dimension, whichever of m, n, k it is', () => {
    const policy = { minConvInChannels: 0, minMatMulMiddleDim: 48, minMatMulMacs: 0 };
    // The three products of a 27648 x 48 dense layer at batch 32: forward, input gradient, weight gradient.
    for (const [m, n, k] of [[32, 48, 27648], [32, 27648, 48], [27648, 48, 32]]) expect(matMulInBf16(policy, m, n, k)).toBe(true);
    for (const [m, n, k] of [[32, 47, 27648], [32, 27648, 47], [27648, 47, 32], [10, 10, 100000], [100000, 10, 10]]) expect(matMulInBf16(policy, m, n, k)).toBe(false);
    expect(matMulInBf16(policy, 48, 48, 48)).toBe(true);
    expect(matMulInBf16(EVERY_KERNEL_BF16, 1, 1, 1)).toBe(true);
  });

  it('and by its multiply-adds: a classifier head stays float32 where a 15488 x 32 dense layer runs in bf16', () => {
    const { minMatMulMacs } = AVX512_BF16_POLICY;
    for (const [m, n, k] of [[32, 32, 15488], [32, 15488, 32], [15488, 32, 32]]) expect(matMulInBf16(AVX512_BF16_POLICY, m, n, k)).toBe(true);
    for (const [m, n, k] of [[32, 10, 128], [128, 10, 32], [32, 128, 10]]) expect(matMulInBf16(AVX512_BF16_POLICY, m, n, k)).toBe(false);
    expect(matMulInBf16(AVX512_BF16_POLICY, 1, 1, minMatMulMacs)).toBe(true);
    expect(matMulInBf16(AVX512_BF16_POLICY, 1, 1, minMatMulMacs - 1)).toBe(false);
  });

  it("is chosen by oneDNN's effective ISA: AMX's where it has AMX, else AVX512_BF16's", () => {
    expect(bf16PolicyFor(0x3e7)).toBe(AMX_BF16_POLICY); // avx512_core_amx
    expect(bf16PolicyFor(0xe7)).toBe(AVX512_BF16_POLICY); // avx512_core_bf16
  });
});
