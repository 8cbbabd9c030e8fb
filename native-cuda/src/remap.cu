// Transpose, Slice, Pad and Tile are one operation: each output element reads the input element
// at (its coordinates + an offset per axis), in the input's own strides. Transpose permutes the
// strides, Slice offsets by `begin`, Pad by -before (reading `padValue` outside the input), Tile
// wraps the coordinate. Elements are copied as 4-byte words (float32, int32, bool alike).
#include "cuda-check.h"
#include "kernels.h"
#include "launch.cuh"

namespace hc {
namespace {

__global__ void remapKernel(const uint32_t* x, uint32_t* y, int64_t n, Remap m) {
  HC_GRID_STRIDE(i, n) {
    int64_t rest = i, offset = m.base;
    bool inside = true;
    for (int d = m.rank - 1; d >= 0; d--) {
      int64_t c = rest % m.outDims[d] + m.offsets[d];
      rest /= m.outDims[d];
      if (m.tile) c %= m.inDims[d];
      else if (c < 0 || c >= m.inDims[d]) inside = false;
      offset += c * m.inStrides[d];
    }
    y[i] = inside ? x[offset] : m.padValue;
  }
}

}  // namespace

void remap(const void* x, void* y, int64_t n, const Remap& map, cudaStream_t s) {
  if (n <= 0) return;
  remapKernel<<<blocksFor(n), THREADS, 0, s>>>(static_cast<const uint32_t*>(x), static_cast<uint32_t*>(y), n, map);
  checkLaunch("remap (transpose/slice/pad/tile) kernel", s);
}

}  // namespace hc
