// oneDNN's matmul primitive over row-major operands, cached per shape and operand type: what bf16
// products run (matmul-bf16.cc) and float32 ones of more than one row (matmul.cc). A
// transposed operand is described by its strides, never copied by us; the bias (float32, length
// n or 1) and a ReLU are fused. Float32 products all ran through dnnl_sgemm before; on the dense layers
// of the notebook's space at batch 32 the primitive (brg:avx512_core on a 2-core EPYC) took 0.44
// against 0.61 ms for a 27648 x 48 layer's input gradient (dy · Wᵀ), 1.19 against 1.83 for a
// 30976 x 128 layer's, 0.29 against 0.37 for the first one's forward (bench/RESULTS.md).
#pragma once
#include "common.h"

namespace hn {

/** [batch, m, n, k, transA, transB, aBatched, bBatched], as the JS side passes them. */
struct MatMulDims {
  int64_t batch, m, n, k;
  bool transA, transB;
  int64_t strideA, strideB;  // elements between batches of a and b (0: one shared matrix)
  explicit MatMulDims(const std::vector<int64_t>& d);
};

/**
 * c[i] = a[i] · b[i] (+ bias) (ReLU) for each of the batch's products; a and b hold `in` values
 * (f32 or bf16), c float32. bias: float32, length biasLength (0: none).
 */
void matMulPrimitive(dnnl::memory::data_type in, const void* a, const void* b, float* c, const MatMulDims& d,
                     const float* bias, int64_t biasLength, bool relu);

/** Which implementation oneDNN picks for such a product (profiling, tests). */
std::string matMulPrimitiveImpl(dnnl::memory::data_type in, int64_t m, int64_t n, int64_t k, bool transA, bool transB);

}  // namespace hn
