// Dtype casts, constant fills and one-hot encoding: the small kernels that labels, masks and
// zeros/ones need. Casts follow tfjs: float to int32 truncates toward zero (NaN becomes 0, as
// Int32Array.from does), anything to bool is x != 0.
#include "cuda-check.h"
#include "kernels.h"
#include "launch.cuh"

namespace hc {
namespace {

__global__ void floatToInt(const float* x, int32_t* y, int64_t n) {
  HC_GRID_STRIDE(i, n) {
    const float v = x[i];
    y[i] = (v != v || fabsf(v) >= 2147483648.0f) ? 0 : static_cast<int32_t>(v); // out of range: 0 (JS wraps; never met here)
  }
}
__global__ void intToFloat(const int32_t* x, float* y, int64_t n) {
  HC_GRID_STRIDE(i, n) { y[i] = static_cast<float>(x[i]); }
}
template <typename T>
__global__ void toBool(const T* x, int32_t* y, int64_t n) {
  HC_GRID_STRIDE(i, n) { y[i] = x[i] != T(0) ? 1 : 0; }
}
__global__ void fillKernel(uint32_t* y, uint32_t bits, int64_t n) {
  HC_GRID_STRIDE(i, n) { y[i] = bits; }
}
__global__ void oneHotKernel(const int32_t* indices, uint32_t* y, int64_t n, int64_t depth, uint32_t on, uint32_t off) {
  HC_GRID_STRIDE(i, n * depth) { y[i] = indices[i / depth] == i % depth ? on : off; }
}

}  // namespace

void cast(int from, int to, const void* x, void* y, int64_t n, cudaStream_t s) {
  if (n <= 0) return;
  if (from == to) {
    HC_CHECK(cudaMemcpyAsync(y, x, n * 4, cudaMemcpyDeviceToDevice, s));
    return;
  }
  if (from == F32) floatToInt<<<blocksFor(n), THREADS, 0, s>>>(static_cast<const float*>(x), static_cast<int32_t*>(y), n);
  else intToFloat<<<blocksFor(n), THREADS, 0, s>>>(static_cast<const int32_t*>(x), static_cast<float*>(y), n);
  checkLaunch("cast kernel", s);
}

void castToBool(int from, const void* x, int32_t* y, int64_t n, cudaStream_t s) {
  if (n <= 0) return;
  if (from == F32) toBool<float><<<blocksFor(n), THREADS, 0, s>>>(static_cast<const float*>(x), y, n);
  else toBool<int32_t><<<blocksFor(n), THREADS, 0, s>>>(static_cast<const int32_t*>(x), y, n);
  checkLaunch("cast-to-bool kernel", s);
}

void fill(void* y, uint32_t bits, int64_t n, cudaStream_t s) {
  if (n <= 0) return;
  if (bits == 0) {
    HC_CHECK(cudaMemsetAsync(y, 0, n * 4, s));
    return;
  }
  fillKernel<<<blocksFor(n), THREADS, 0, s>>>(static_cast<uint32_t*>(y), bits, n);
  checkLaunch("fill kernel", s);
}

void oneHot(const int32_t* indices, void* y, int64_t n, int64_t depth, uint32_t onBits, uint32_t offBits, cudaStream_t s) {
  if (n <= 0 || depth <= 0) return;
  oneHotKernel<<<blocksFor(n * depth), THREADS, 0, s>>>(indices, static_cast<uint32_t*>(y), n, depth, onBits, offBits);
  checkLaunch("one-hot kernel", s);
}

}  // namespace hc
