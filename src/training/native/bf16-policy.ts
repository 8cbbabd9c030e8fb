// Which convolutions and matrix products mixed precision runs in bf16. PyTorch's CPU autocast
// casts every one; on oneDNN 2.6 two kinds are slower in bf16 than in float32 and stay float32
// (never less exact than float32 training; bench/RESULTS.md, issue 17):
// - a convolution over a few input channels, an image's first layer: its reduction (kh * kw *
//   channels terms) is too short for AMX's tiles (2-core Xeon, the reference model's first layer,
//   `npm run bench:kernels -- native 32 100 64k3-48k3-48 bf16 every`: filter gradient 2.08 ms
//   against 0.98 in float32, forward 0.72 against 0.51);
// - a product whose middle dimension is small: with batch 32 and a dense layer of 32-48 units it
//   is memory-bound, and converting the operands costs more than the faster arithmetic saves (the
//   three products of a 27648 x 48 layer took 3.3 ms a step in bf16, 3.0 in float32; a 30976 x 128
//   layer's, 6.4 in bf16 against 8.5).
// Pure: the kernels (conv.ts, matmul.ts) and the tests that emulate them share these rules.

export interface Bf16Policy {
  /** Convolutions over fewer input channels run in float32 (forward and both gradients). */
  minConvInChannels: number;
  /** Products whose middle dimension of (m, n, k) is below this run in float32. */
  minMatMulMiddleDim: number;
}

export const DEFAULT_BF16_POLICY: Readonly<Bf16Policy> = { minConvInChannels: 8, minMatMulMiddleDim: 64 };
/** Every convolution and product in bf16, as autocast does (the kernel tests use it). */
export const EVERY_KERNEL_BF16: Readonly<Bf16Policy> = { minConvInChannels: 0, minMatMulMiddleDim: 0 };

export const convInBf16 = (policy: Bf16Policy, inChannels: number): boolean => inChannels >= policy.minConvInChannels;

export function matMulInBf16(policy: Bf16Policy, m: number, n: number, k: number): boolean {
  const middle = Math.max(Math.min(m, n), Math.min(Math.max(m, n), k));
  return middle >= policy.minMatMulMiddleDim;
}
