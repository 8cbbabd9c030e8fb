// The epilogue of a dense or convolution layer, in place over its [rows, cols] output:
// y = act(y + bias[col]). One pass instead of an add and an activation (two reads, two writes).
// `act` is a UnaryOp code (U_IDENTITY for 'linear').
#include "cuda-check.h"
#include "kernels.h"
#include "launch.cuh"
#include "unary-ops.cuh"

namespace hc {
namespace {

__global__ void biasActivationKernel(float* y, const float* bias, int64_t n, int64_t cols, int act, float alpha) {
  HC_GRID_STRIDE(i, n) {
    float v = y[i];
    if (bias != nullptr) v += bias[i % cols];
    y[i] = applyUnary(act, v, alpha, 0.0f);
  }
}

}  // namespace

void biasActivation(float* y, const float* bias, int64_t rows, int64_t cols, int act, float alpha, cudaStream_t s) {
  const int64_t n = rows * cols;
  if (n <= 0 || (bias == nullptr && act == U_IDENTITY)) return;
  biasActivationKernel<<<blocksFor(n), THREADS, 0, s>>>(y, bias, n, cols, act, alpha);
  checkLaunch("bias+activation kernel", s);
}

}  // namespace hc
