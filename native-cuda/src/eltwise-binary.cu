// out = op(a, b) element-wise with numpy broadcasting (strides of 0 along broadcast axes). The
// common cases skip the index arithmetic: equal shapes, and a scalar on either side.
#include <cmath>

#include "cuda-check.h"
#include "kernels.h"
#include "launch.cuh"

namespace hc {
namespace {

template <typename T>
__device__ __forceinline__ T arith(int op, T a, T b) {
  switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_MAX: return (a != a || b != b) ? (a != a ? a : b) : (a > b ? a : b); // NaN wins, as Math.max
    case B_MIN: return (a != a || b != b) ? (a != a ? a : b) : (a < b ? a : b);
    case B_POW: return static_cast<T>(powf(static_cast<float>(a), static_cast<float>(b)));
    case B_SQUARED_DIFF: return (a - b) * (a - b);
    case B_FLOOR_DIV: return static_cast<T>(floorf(static_cast<float>(a) / static_cast<float>(b)));
    case B_ELU_GRAD: return b >= T(0) ? a : a * (b + T(1)); // a = dy, b = y (tfjs' EluGrad)
    default: return T(0);
  }
}

template <typename T>
__device__ __forceinline__ int32_t compare(int op, T a, T b) {
  switch (op) {
    case B_EQUAL: return a == b;
    case B_NOT_EQUAL: return a != b;
    case B_GREATER: return a > b;
    case B_GREATER_EQUAL: return a >= b;
    case B_LESS: return a < b;
    case B_LESS_EQUAL: return a <= b;
    case B_LOGICAL_AND: return a != T(0) && b != T(0);
    default: return a != T(0) || b != T(0); // B_LOGICAL_OR
  }
}

enum Layout { SAME, SCALAR_A, SCALAR_B, GENERAL };

template <typename T, typename O, bool COMPARE>
__global__ void binaryKernel(int op, const T* a, const T* b, O* out, int64_t n, Broadcast shape, Layout layout) {
  HC_GRID_STRIDE(i, n) {
    int64_t ia = i, ib = i;
    if (layout == SCALAR_A) ia = 0;
    else if (layout == SCALAR_B) ib = 0;
    else if (layout == GENERAL) { ia = offsetOf(shape, 0, i); ib = offsetOf(shape, 1, i); }
    if constexpr (COMPARE) out[i] = compare<T>(op, a[ia], b[ib]);
    else out[i] = arith<T>(op, a[ia], b[ib]);
  }
}

/** Whether input `which` walks the output contiguously / is one element. */
bool contiguous(const Broadcast& s, int which) {
  int64_t expected = 1;
  for (int d = s.rank - 1; d >= 0; d--) {
    if (s.dims[d] != 1 && s.strides[which][d] != expected) return false;
    expected *= s.dims[d];
  }
  return true;
}
bool scalar(const Broadcast& s, int which) {
  for (int d = 0; d < s.rank; d++) if (s.dims[d] != 1 && s.strides[which][d] != 0) return false;
  return true;
}

template <typename T>
void launch(int op, const void* a, const void* b, void* out, int64_t n, const Broadcast& shape, Layout layout, cudaStream_t s) {
  const T* pa = static_cast<const T*>(a);
  const T* pb = static_cast<const T*>(b);
  if (op >= B_EQUAL) binaryKernel<T, int32_t, true><<<blocksFor(n), THREADS, 0, s>>>(op, pa, pb, static_cast<int32_t*>(out), n, shape, layout);
  else binaryKernel<T, T, false><<<blocksFor(n), THREADS, 0, s>>>(op, pa, pb, static_cast<T*>(out), n, shape, layout);
}

}  // namespace

void binary(int op, int dtype, const void* a, const void* b, void* out, int64_t n, const Broadcast& shape, cudaStream_t s) {
  if (n <= 0) return;
  const bool ca = contiguous(shape, 0), cb = contiguous(shape, 1);
  const Layout layout = ca && cb ? SAME : (scalar(shape, 0) && cb ? SCALAR_A : (ca && scalar(shape, 1) ? SCALAR_B : GENERAL));
  if (dtype == F32) launch<float>(op, a, b, out, n, shape, layout, s);
  else launch<int32_t>(op, a, b, out, n, shape, layout, s);
  checkLaunch("binary kernel", s);
}

}  // namespace hc
