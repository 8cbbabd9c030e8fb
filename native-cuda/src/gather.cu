// tfjs' GatherV2 with batchDims 0: x as [outer, axis, inner], y[o, i, :] = x[o, indices[i], :].
// How the engine takes a shuffled batch out of a data set held on the device. An index outside
// [0, axis) writes zeros (tfjs' cpu kernel throws; the TypeScript side checks indices it uploads).
#include "cuda-check.h"
#include "kernels.h"
#include "launch.cuh"

namespace hc {
namespace {

__global__ void gatherKernel(const uint32_t* x, const int32_t* indices, uint32_t* y, int64_t axis, int64_t inner, int64_t count, int64_t n) {
  HC_GRID_STRIDE(i, n) {
    const int64_t c = i % inner, rest = i / inner;
    const int64_t k = rest % count, o = rest / count;
    const int64_t index = indices[k];
    y[i] = (index >= 0 && index < axis) ? x[(o * axis + index) * inner + c] : 0u;
  }
}

}  // namespace

void gather(const void* x, const int32_t* indices, void* y, int64_t outer, int64_t axis, int64_t inner, int64_t count, cudaStream_t s) {
  const int64_t n = outer * count * inner;
  if (n <= 0) return;
  gatherKernel<<<blocksFor(n), THREADS, 0, s>>>(static_cast<const uint32_t*>(x), indices, static_cast<uint32_t*>(y), axis, inner, count, n);
  checkLaunch("gather kernel", s);
}

}  // namespace hc
