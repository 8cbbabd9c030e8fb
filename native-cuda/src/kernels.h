// The host-side launchers of every CUDA kernel (native-cuda/src/*.cu), called by the Node-API
// layer (*.cc). Plain C++ so both compilers read it. Every launcher queues work on `stream` and
// returns at once; pointers are device pointers. Elements are 4 bytes: float32, or int32 (tfjs'
// int32, and bool stored as int32 0/1 so every kernel has one element width).
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

namespace hc {

constexpr int MAX_RANK = 6;
enum DType : int { F32 = 0, I32 = 1 };

// Codes shared with src/training/cuda/ops.ts.
enum UnaryOp : int {
  U_NEG, U_ABS, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_SQUARE, U_RECIPROCAL, U_RELU, U_RELU6, U_SIGMOID,
  U_TANH, U_ELU, U_SELU, U_SOFTPLUS, U_STEP, U_FLOOR, U_CEIL, U_ROUND, U_SIGN, U_LEAKY_RELU,
  U_CLIP, U_LOG1P, U_EXPM1, U_SIN, U_COS, U_LOGICAL_NOT, U_IDENTITY,
};
enum BinaryOp : int {
  B_ADD, B_SUB, B_MUL, B_DIV, B_MAX, B_MIN, B_POW, B_SQUARED_DIFF, B_FLOOR_DIV, B_ELU_GRAD,
  B_EQUAL, B_NOT_EQUAL, B_GREATER, B_GREATER_EQUAL, B_LESS, B_LESS_EQUAL, B_LOGICAL_AND, B_LOGICAL_OR,
};
enum ReduceOp : int { R_SUM, R_MEAN, R_MAX, R_MIN, R_PROD, R_ARGMAX, R_ARGMIN, R_ALL, R_ANY };

/** Output index → input offsets for one to three inputs, rank <= MAX_RANK; stride 0 broadcasts. */
struct Broadcast {
  int rank;
  int64_t dims[MAX_RANK];
  int64_t strides[3][MAX_RANK];
};

/** Per output axis of a strided copy: in = (out + offset), wrapped when tiling, else padded. */
struct Remap {
  int rank;
  int tile;                  // 1: in %= inDim (Tile); 0: out-of-range reads `padValue` (Pad)
  uint32_t padValue;         // the 4 bytes written where the input has no element
  int64_t base;              // element offset of the first input element read
  int64_t outDims[MAX_RANK];
  int64_t inDims[MAX_RANK];
  int64_t inStrides[MAX_RANK];
  int64_t offsets[MAX_RANK];
};

// eltwise-unary.cu: y = op(x), alpha/beta as the op uses them (Step, LeakyRelu, Clip).
void unary(int op, int dtype, const void* x, void* y, int64_t n, float alpha, float beta, cudaStream_t s);
// eltwise-binary.cu: out = op(a, b) over a broadcast; comparisons write int32 0/1.
void binary(int op, int dtype, const void* a, const void* b, void* out, int64_t n, const Broadcast& shape, cudaStream_t s);
// select.cu: out = cond ? a : b (cond int32), broadcast.
void select(const int32_t* cond, const void* a, const void* b, void* out, int64_t n, const Broadcast& shape, cudaStream_t s);
// bias-activation.cu: in place, y[r, c] = act(y[r, c] + bias[c]) (bias may be null).
void biasActivation(float* y, const float* bias, int64_t rows, int64_t cols, int act, float alpha, cudaStream_t s);
// reduce.cu: x as [outer, size, inner] reduced over the middle axis into [outer, inner].
void reduce(int op, int dtype, const void* x, void* out, int64_t outer, int64_t size, int64_t inner, cudaStream_t s);
// softmax.cu: softmax over the last axis of [rows, cols].
void softmax(const float* x, float* y, int64_t rows, int64_t cols, cudaStream_t s);
// adam.cu: one fused Adam step, bit-identical to tfjs' op-by-op float32 update (see the file).
void adam(const float* p, const float* m, const float* v, const float* g, float* pOut, float* mOut, float* vOut,
          int64_t n, const float k[8], cudaStream_t s);
// cast-fill.cu
void cast(int from, int to, const void* x, void* y, int64_t n, cudaStream_t s); // to bool: pass I32 and toBool
void castToBool(int from, const void* x, int32_t* y, int64_t n, cudaStream_t s);
void fill(void* y, uint32_t bits, int64_t n, cudaStream_t s);
void oneHot(const int32_t* indices, void* y, int64_t n, int64_t depth, uint32_t onBits, uint32_t offBits, cudaStream_t s);
// remap.cu: transpose, slice, pad and tile as one strided copy of 4-byte elements.
void remap(const void* x, void* y, int64_t n, const Remap& map, cudaStream_t s);
// gather.cu: x as [outer, axis, inner], y[o, i, :] = x[o, indices[i], :] (0 where out of range).
void gather(const void* x, const int32_t* indices, void* y, int64_t outer, int64_t axis, int64_t inner, int64_t count, cudaStream_t s);
// batch-norm.cu: tfjs' FusedBatchNorm; every parameter array repeats cyclically over x (as tfjs' cpu kernel).
void batchNorm(const float* x, const float* mean, int64_t nMean, const float* var, int64_t nVar, const float* offset, int64_t nOffset,
               const float* scale, int64_t nScale, float epsilon, float* y, int64_t n, cudaStream_t s);
// pool.cu: NHWC max/average pooling and their gradients; geometry as in src/training/cuda/pool.ts.
struct PoolGeometry { int n, ih, iw, c, oh, ow, kh, kw, sh, sw, pt, pl; };
void maxPool(const float* x, float* y, const PoolGeometry& g, cudaStream_t s);
void avgPool(const float* x, float* y, const PoolGeometry& g, cudaStream_t s);
void maxPoolGrad(const float* dy, const float* x, float* dx, const PoolGeometry& g, cudaStream_t s);
void avgPoolGrad(const float* dy, float* dx, const PoolGeometry& g, cudaStream_t s);

}  // namespace hc
