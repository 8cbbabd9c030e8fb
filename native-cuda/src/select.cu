// out = cond ? a : b (tfjs' Select; cond is bool, stored as int32), with broadcasting.
#include "cuda-check.h"
#include "kernels.h"
#include "launch.cuh"

namespace hc {
namespace {

__global__ void selectKernel(const int32_t* cond, const uint32_t* a, const uint32_t* b, uint32_t* out, int64_t n, Broadcast shape) {
  HC_GRID_STRIDE(i, n) {
    out[i] = cond[offsetOf(shape, 0, i)] != 0 ? a[offsetOf(shape, 1, i)] : b[offsetOf(shape, 2, i)];
  }
}

}  // namespace

void select(const int32_t* cond, const void* a, const void* b, void* out, int64_t n, const Broadcast& shape, cudaStream_t s) {
  if (n <= 0) return;
  // The values are copied as 4-byte words: the same kernel serves float32 and int32.
  selectKernel<<<blocksFor(n), THREADS, 0, s>>>(cond, static_cast<const uint32_t*>(a), static_cast<const uint32_t*>(b), static_cast<uint32_t*>(out), n, shape);
  checkLaunch("select kernel", s);
}

}  // namespace hc
