// Reductions of x viewed as [outer, size, inner] over the middle axis (tfjs reduces trailing axes
// after a transpose; a contiguous run of axes anywhere needs no transpose in this form).
// inner == 1 (the usual case: a whole row) takes one block per row with a tree reduction;
// inner > 1 takes one thread per output column, reading rows in order (coalesced across threads).
// Sums accumulate in double: tfjs' cpu kernel sums in JS numbers (doubles), and so stays close to it.
// ArgMax/ArgMin return the first index of the extreme value, as tfjs does.
#include <cfloat>

#include "cuda-check.h"
#include "kernels.h"
#include "launch.cuh"

namespace hc {
namespace {

struct Acc {
  double value;
  int64_t index;
};

__device__ __forceinline__ Acc init(int op) {
  switch (op) {
    case R_MAX: case R_ARGMAX: return {-INFINITY, -1};
    case R_MIN: case R_ARGMIN: return {INFINITY, -1};
    case R_PROD: case R_ALL: return {1.0, -1};
    default: return {0.0, -1};
  }
}

/** Folds element (v, j) into a; commutative for the tree (ties go to the lower index). */
__device__ __forceinline__ Acc fold(int op, Acc a, Acc b) {
  switch (op) {
    case R_MAX: return {b.value > a.value || b.value != b.value ? b.value : a.value, -1};
    case R_MIN: return {b.value < a.value || b.value != b.value ? b.value : a.value, -1};
    case R_PROD: return {a.value * b.value, -1};
    case R_ALL: return {(a.value != 0 && b.value != 0) ? 1.0 : 0.0, -1};
    case R_ANY: return {(a.value != 0 || b.value != 0) ? 1.0 : 0.0, -1};
    case R_ARGMAX:
      if (a.index < 0) return b;
      if (b.index < 0) return a;
      return (b.value > a.value || (b.value == a.value && b.index < a.index)) ? b : a;
    case R_ARGMIN:
      if (a.index < 0) return b;
      if (b.index < 0) return a;
      return (b.value < a.value || (b.value == a.value && b.index < a.index)) ? b : a;
    default: return {a.value + b.value, -1}; // R_SUM, R_MEAN
  }
}

template <typename T>
__device__ __forceinline__ void store(int op, T* outT, int32_t* outI, int64_t o, Acc a, int64_t size) {
  if (op == R_ARGMAX || op == R_ARGMIN) outI[o] = static_cast<int32_t>(a.index < 0 ? 0 : a.index);
  else if (op == R_MEAN) outT[o] = static_cast<T>(a.value / static_cast<double>(size));
  else outT[o] = static_cast<T>(a.value);
}

template <typename T>
__global__ void reduceRows(int op, const T* x, T* outT, int32_t* outI, int64_t size) {
  __shared__ Acc shared[THREADS];
  const T* row = x + blockIdx.x * size;
  Acc a = init(op);
  for (int64_t j = threadIdx.x; j < size; j += blockDim.x) a = fold(op, a, {static_cast<double>(row[j]), j});
  shared[threadIdx.x] = a;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) shared[threadIdx.x] = fold(op, shared[threadIdx.x], shared[threadIdx.x + half]);
    __syncthreads();
  }
  if (threadIdx.x == 0) store(op, outT, outI, blockIdx.x, shared[0], size);
}

template <typename T>
__global__ void reduceColumns(int op, const T* x, T* outT, int32_t* outI, int64_t outer, int64_t size, int64_t inner) {
  HC_GRID_STRIDE(k, outer * inner) {
    const int64_t o = k / inner, c = k % inner;
    const T* base = x + o * size * inner + c;
    Acc a = init(op);
    for (int64_t j = 0; j < size; j++) a = fold(op, a, {static_cast<double>(base[j * inner]), j});
    store(op, outT, outI, k, a, size);
  }
}

template <typename T>
void launch(int op, const void* x, void* out, int64_t outer, int64_t size, int64_t inner, cudaStream_t s) {
  const T* px = static_cast<const T*>(x);
  T* outT = static_cast<T*>(out);
  int32_t* outI = static_cast<int32_t*>(out);
  if (inner == 1 && outer <= 0x7fffffff) reduceRows<T><<<static_cast<unsigned>(outer), THREADS, 0, s>>>(op, px, outT, outI, size);
  else reduceColumns<T><<<blocksFor(outer * inner), THREADS, 0, s>>>(op, px, outT, outI, outer, size, inner);
}

}  // namespace

void reduce(int op, int dtype, const void* x, void* out, int64_t outer, int64_t size, int64_t inner, cudaStream_t s) {
  if (outer * inner <= 0) return;
  if (dtype == F32) launch<float>(op, x, out, outer, size, inner, s);
  else launch<int32_t>(op, x, out, outer, size, inner, s);
  checkLaunch("reduce kernel", s);
}

}  // namespace hc
