// Grid sizing for the element-wise kernels: grid-stride loops over at most a few waves of blocks,
// so one launch shape serves any size (and 64-bit element counts).
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

namespace hc {

constexpr int THREADS = 256;

/** Blocks for n elements: enough to fill the GPU several times over, capped. */
inline unsigned blocksFor(int64_t n) {
  const int64_t blocks = (n + THREADS - 1) / THREADS;
  return static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(blocks, 132 * 32)));
}

#define HC_GRID_STRIDE(i, n) \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (n); i += static_cast<int64_t>(gridDim.x) * blockDim.x)

/** Input offset `which` (0, 1, 2) of output element i under a broadcast. */
template <typename B>
__device__ __forceinline__ int64_t offsetOf(const B& shape, int which, int64_t i) {
  int64_t offset = 0;
  for (int d = shape.rank - 1; d >= 0; d--) {
    const int64_t dim = shape.dims[d];
    offset += (i % dim) * shape.strides[which][d];
    i /= dim;
  }
  return offset;
}

}  // namespace hc
