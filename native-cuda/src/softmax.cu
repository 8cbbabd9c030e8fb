// Softmax over the last axis, one warp per row: max, exp(x - max) summed, then divided, the order
// tfjs' cpu kernel uses. Rows are short in training (the classes), so a warp is enough and many
// rows run per block.
#include "cuda-check.h"
#include "kernels.h"
#include "launch.cuh"

namespace hc {
namespace {

constexpr int WARPS = THREADS / 32;

__global__ void softmaxKernel(const float* x, float* y, int64_t rows, int64_t cols) {
  const int lane = threadIdx.x % 32;
  for (int64_t r = blockIdx.x * static_cast<int64_t>(WARPS) + threadIdx.x / 32; r < rows; r += static_cast<int64_t>(gridDim.x) * WARPS) {
    const float* in = x + r * cols;
    float* out = y + r * cols;
    float m = -INFINITY;
    for (int64_t c = lane; c < cols; c += 32) m = fmaxf(m, in[c]);
    for (int o = 16; o > 0; o /= 2) m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, o));
    float sum = 0.0f;
    for (int64_t c = lane; c < cols; c += 32) {
      const float e = expf(in[c] - m);
      out[c] = e;
      sum += e;
    }
    for (int o = 16; o > 0; o /= 2) sum += __shfl_xor_sync(0xffffffffu, sum, o);
    __syncwarp();
    for (int64_t c = lane; c < cols; c += 32) out[c] = out[c] / sum;
  }
}

}  // namespace

void softmax(const float* x, float* y, int64_t rows, int64_t cols, cudaStream_t s) {
  if (rows <= 0 || cols <= 0) return;
  const int64_t blocks = (rows + WARPS - 1) / WARPS;
  softmaxKernel<<<static_cast<unsigned>(blocks < 132 * 32 ? blocks : 132 * 32), THREADS, 0, s>>>(x, y, rows, cols);
  checkLaunch("softmax kernel", s);
}

}  // namespace hc
