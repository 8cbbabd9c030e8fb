// Batched matrix products through oneDNN's sgemm (row-major, transposes handled by the GEMM
// itself, no copies), with an optional bias row and ReLU for tfjs' _FusedMatMul.
#include <algorithm>

#include "common.h"

namespace hn {
namespace {

// matMul(a, b, c, [batch, m, n, k, transA, transB, aBatched, bBatched], bias | null, relu)
// a: [batch|1, m, k] (or [.., k, m] if transA), b: [batch|1, k, n] (or [.., n, k] if transB),
// c: [batch, m, n]; bias: length n or 1, added to every row.
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  const float* a = floats(info[0]);
  const float* b = floats(info[1]);
  float* c = floats(info[2]);
  std::vector<int64_t> d = ints(info[3]);
  if (d.size() != 8) throw std::invalid_argument("matMul dims need 8 integers");
  const int64_t batch = d[0], m = d[1], n = d[2], k = d[3];
  const bool transA = d[4] != 0, transB = d[5] != 0;
  const int64_t strideA = d[6] ? m * k : 0, strideB = d[7] ? k * n : 0;
  const bool withBias = !info[4].IsNull() && !info[4].IsUndefined();
  const bool relu = flag(info[5]);
  float beta = 0.f;
  if (withBias) {
    const float* bias = floats(info[4]);
    const size_t biasLength = length(info[4]);
    const int64_t rows = batch * m;
#pragma omp parallel for if (rows * n > 65536)
    for (int64_t r = 0; r < rows; r++) {
      float* row = c + r * n;
      if (biasLength == 1) std::fill(row, row + n, bias[0]);
      else std::copy(bias, bias + n, row);
    }
    beta = 1.f;
  }
  SignalsBlocked quiet;  // for the GEMMs (see common.h)
  for (int64_t i = 0; i < batch; i++) {
    dnnl_status_t st = dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, 1.f, a + i * strideA, transA ? m : k,
                                  b + i * strideB, transB ? k : n, beta, c + i * m * n, n);
    if (st != dnnl_success) throw std::runtime_error("dnnl_sgemm failed with status " + std::to_string(st));
  }
  if (relu) {
    const int64_t total = batch * m * n;
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
