// Batched float32 matrix products through oneDNN's matmul primitive (matmul-primitive.h), with an
// optional bias row and ReLU for tfjs' _FusedMatMul.
#include <algorithm>

#include "matmul-primitive.h"

namespace hn {
namespace {

// matMul(a, b, c, [batch, m, n, k, transA, transB, aBatched, bBatched], bias | null, relu)
// a: [batch|1, m, k] (or [.., k, m] if transA), b: [batch|1, k, n] (or [.., n, k] if transB),
// c: [batch, m, n]; bias: length n or 1, added to every row.
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  const MatMulDims d(ints(info[3]));
  float* c = floats(info[2]);
  const bool withBias = !info[4].IsNull() && !info[4].IsUndefined();
  const float* bias = withBias ? floats(info[4]) : nullptr;
  const int64_t biasLength = withBias ? static_cast<int64_t>(length(info[4])) : 0;
  const bool relu = flag(info[5]);
  if (d.batch * d.m * d.n == 0) return info.Env().Undefined();
  if (d.k > 0) {
    matMulPrimitive(dnnl::memory::data_type::f32, floats(info[0]), floats(info[1]), c, d, bias, biasLength, relu);
    return info.Env().Undefined();
  }
  // An empty sum: the bias alone (or zeros), through the ReLU.
  const int64_t rows = d.batch * d.m;
  for (int64_t r = 0; r < rows; r++) {
    float* row = c + r * d.n;
    if (!withBias) std::fill(row, row + d.n, 0.f);
    else if (biasLength == 1) std::fill(row, row + d.n, bias[0]);
    else std::copy(bias, bias + d.n, row);
    if (relu) for (int64_t j = 0; j < d.n; j++) row[j] = row[j] < 0.f ? 0.f : row[j];  // NaN stays NaN, as in tfjs
  }
  return info.Env().Undefined();
}

}  // namespace

void initMatMul(Napi::Env env, Napi::Object exports) {
  exports.Set("matMul", Napi::Function::New(env, flushed<MatMul>));
}

}  // namespace hn
