// Which convolutions and matrix products mixed precision runs in bf16. PyTorch's CPU autocast
// casts every one; on oneDNN 2.6 some are slower in bf16 than in float32, and which depends on
// how the CPU computes bf16 (bench/RESULTS.md, issue 17; `npm run bench:kernels -- native 32 150
// CONFIG bf16 every` against `... bf16` on each). Those stay float32: never less exact than
// float32 training.
// With AMX (2-core Xeon):
// - a convolution over a few input channels, an image's first layer: its reduction (kh * kw *
//   channels terms) is too short for AMX's tiles (the reference model's first layer: filter
//   gradient 2.08 ms against 0.98 in float32, forward 0.72 against 0.51);
// - a product whose middle dimension is small: with batch 32 and a dense layer of 32-48 units it
//   is memory-bound, and converting the operands costs more than the faster arithmetic saves (the
//   three products of a 27648 x 48 layer took 3.3 ms a step in bf16, 3.0 in float32; a 30976 x 128
//   layer's, 6.4 in bf16 against 8.5).
// With AVX512_BF16 alone (2-core EPYC, Zen 5), both are faster in bf16 (a 27648 x 48 layer's
// products 1.35-1.44 ms against 1.80-1.95; a 15488 x 32 layer's 0.72-0.79 against 1.07-1.28; a
// first layer of 128 filters' filter gradient 0.93-1.21 against 1.48-1.65), and only tiny products
// are not: a classifier's head ([32, 48] x [48, 10]) took 0.17-0.44 ms in bf16, 0.02 in float32.
// Pure: the kernels (conv.ts, matmul.ts) and the tests that emulate them share these rules.

export interface Bf16Policy {
  /** Convolutions over fewer input channels run in float32 (forward and both gradients). */
  minConvInChannels: number;
  /** Products whose middle dimension of (m, n, k) is below this run in float32. */
  minMatMulMiddleDim: number;
  /** Products of fewer multiply-adds (m * n * k) run in float32. */
  minMatMulMacs: number;
}

export const AMX_BF16_POLICY: Readonly<Bf16Policy> = { minConvInChannels: 8, minMatMulMiddleDim: 64, minMatMulMacs: 0 };
export const AVX512_BF16_POLICY: Readonly<Bf16Policy> = { minConvInChannels: 0, minMatMulMiddleDim: 0, minMatMulMacs: 2 ** 20 };
/** Every convolution and product in bf16, as autocast does (the kernel tests use it). */
export const EVERY_KERNEL_BF16: Readonly<Bf16Policy> = { minConvInChannels: 0, minMatMulMiddleDim: 0, minMatMulMacs: 0 };

// oneDNN's cpu_isa bits for AMX's tiles and its bf16 instructions (dnnl_types.h: avx512_core_amx
// is 0x3e7, avx512_core_bf16 0xe7).
const AMX_BITS = 0x300;

/** The policy for a CPU whose oneDNN effective ISA mask is `isa` (the addon's info().isa). */
export const bf16PolicyFor = (isa: number): Readonly<Bf16Policy> => ((isa & AMX_BITS) === AMX_BITS ? AMX_BF16_POLICY : AVX512_BF16_POLICY);

export const convInBf16 = (policy: Bf16Policy, inChannels: number): boolean => inChannels >= policy.minConvInChannels;

export function matMulInBf16(policy: Bf16Policy, m: number, n: number, k: number): boolean {
  const middle = Math.max(Math.min(m, n), Math.min(Math.max(m, n), k));
  return middle >= policy.minMatMulMiddleDim && m * n * k >= policy.minMatMulMacs;
}
