// Batched float32 matrix products, with an optional bias row and ReLU for tfjs' _FusedMatMul:
// through oneDNN's matmul primitive (matmul-primitive.h), but a single row's through dnnl_sgemm
// (row-major, transposes handled by the GEMM itself), whose matrix-vector path ran faster (2-core
// EPYC, operands in cache: [1, 27648] x [27648, 48] 43 µs against 70; [64, 27648] x [27648, 48]
// 604-613 against 386-391 on the primitive). Not by size: with small products on sgemm the large
// ones beside them on the primitive ran as slowly as on sgemm (a dense layer's input gradient
// inside a training step 0.50-0.63 ms against 0.20-0.35 with every product on the primitive).
#include <algorithm>

#include "matmul-primitive.h"

namespace hn {
namespace {

// matMul(a, b, c, [batch, m, n, k, transA, transB, aBatched, bBatched], bias | null, relu)
// a: [batch|1, m, k] (or [.., k, m] if transA), b: [batch|1, k, n] (or [.., n, k] if transB),
// c: [batch, m, n]; bias: length n or 1, added to every row.
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  const MatMulDims d(ints(info[3]));
  const float* a = floats(info[0]);
  const float* b = floats(info[1]);
  float* c = floats(info[2]);
  const bool withBias = !info[4].IsNull() && !info[4].IsUndefined();
  const float* bias = withBias ? floats(info[4]) : nullptr;
  const int64_t biasLength = withBias ? static_cast<int64_t>(length(info[4])) : 0;
  const bool relu = flag(info[5]);
  if (d.batch * d.m * d.n == 0) return info.Env().Undefined();
  if (d.m > 1 && d.k > 0) {
    matMulPrimitive(dnnl::memory::data_type::f32, a, b, c, d, bias, biasLength, relu);
    return info.Env().Undefined();
  }
  // sgemm: a single row, or an empty sum (k = 0, which sgemm refuses: the bias alone, or zeros).
  const int64_t rows = d.batch * d.m;
  float beta = 0.f;
  if (withBias) {
#pragma omp parallel for if (rows * d.n > 65536)
    for (int64_t r = 0; r < rows; r++) {
      float* row = c + r * d.n;
      if (biasLength == 1) std::fill(row, row + d.n, bias[0]);
      else std::copy(bias, bias + d.n, row);
    }
    beta = 1.f;
  } else if (d.k == 0) {
    std::fill(c, c + rows * d.n, 0.f);
  }
  if (d.k > 0) {
    SignalsBlocked quiet;  // for the GEMMs (see common.h)
    for (int64_t i = 0; i < d.batch; i++) {
      dnnl_status_t st = dnnl_sgemm(d.transA ? 'T' : 'N', d.transB ? 'T' : 'N', d.m, d.n, d.k, 1.f, a + i * d.strideA,
                                    d.transA ? d.m : d.k, b + i * d.strideB, d.transB ? d.k : d.n, beta, c + i * d.m * d.n, d.n);
      if (st != dnnl_success) throw std::runtime_error("dnnl_sgemm failed with status " + std::to_string(st));
    }
  }
  if (relu) {
    const int64_t total = rows * d.n;
#pragma omp parallel for simd if (total > 65536)
    for (int64_t i = 0; i < total; i++) c[i] = c[i] < 0.f ? 0.f : c[i];  // NaN stays NaN, as in tfjs
  }
  return info.Env().Undefined();
}

}  // namespace

void initMatMul(Napi::Env env, Napi::Object exports) {
  exports.Set("matMul", Napi::Function::New(env, flushed<MatMul>));
}

}  // namespace hn
