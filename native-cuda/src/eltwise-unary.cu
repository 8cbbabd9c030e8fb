// y = op(x) element-wise (ops and formulas in unary-ops.cuh). int32 inputs go through float, which
// is exact for the values tfjs' int32 unary ops meet in training (labels, indices, counts < 2^24).
#include "cuda-check.h"
#include "kernels.h"
#include "launch.cuh"
#include "unary-ops.cuh"

namespace hc {
namespace {

template <typename T>
__global__ void unaryKernel(int op, const T* x, T* y, int64_t n, float alpha, float beta) {
  HC_GRID_STRIDE(i, n) { y[i] = static_cast<T>(applyUnary(op, static_cast<float>(x[i]), alpha, beta)); }
}

}  // namespace

void unary(int op, int dtype, const void* x, void* y, int64_t n, float alpha, float beta, cudaStream_t s) {
  if (n <= 0) return;
  if (dtype == F32) {
    unaryKernel<float><<<blocksFor(n), THREADS, 0, s>>>(op, static_cast<const float*>(x), static_cast<float*>(y), n, alpha, beta);
  } else {
    unaryKernel<int32_t><<<blocksFor(n), THREADS, 0, s>>>(op, static_cast<const int32_t*>(x), static_cast<int32_t*>(y), n, alpha, beta);
  }
  checkLaunch("unary kernel", s);
}

}  // namespace hc
