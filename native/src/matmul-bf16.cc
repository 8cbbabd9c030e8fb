// Mixed-precision (bf16) matrix products for dense layers, as PyTorch's CPU autocast runs
// torch.mm/linear: both operands bf16 (converted once per tensor by the caller, bf16.cc), oneDNN's
// matmul primitive accumulates in float32 and writes float32, with the bias (float32) and ReLU
// fused (matmul-primitive.h).
#include "matmul-primitive.h"

namespace hn {
namespace {

using dt = dnnl::memory::data_type;

// matMulBf16(a: bf16, b: bf16, c: f32, [batch, m, n, k, transA, transB, aBatched, bBatched], bias | null, relu)
// The same contract as matMul (matmul.cc), with bf16 operands; bias: float32, length n or 1.
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  const MatMulDims d(ints(info[3]));
  const bool withBias = !info[4].IsNull() && !info[4].IsUndefined();
  matMulPrimitive(dt::bf16, bf16s(info[0]), bf16s(info[1]), floats(info[2]), d, withBias ? floats(info[4]) : nullptr,
                  withBias ? static_cast<int64_t>(length(info[4])) : 0, flag(info[5]));
  return info.Env().Undefined();
}

// Which implementation oneDNN picked for a bf16 matmul of these dims (profiling, tests).
Napi::Value MatMulImpl(const Napi::CallbackInfo& info) {
  std::vector<int64_t> d = ints(info[0]);
  if (d.size() != 5) throw std::invalid_argument("matMulImplBf16 needs [m, n, k, transA, transB]");
  return Napi::String::New(info.Env(), matMulPrimitiveImpl(dt::bf16, d[0], d[1], d[2], d[3] != 0, d[4] != 0));
}

}  // namespace

void initMatMulBf16(Napi::Env env, Napi::Object exports) {
  exports.Set("matMulBf16", Napi::Function::New(env, flushed<MatMul>));
  exports.Set("matMulImplBf16", Napi::Function::New(env, MatMulImpl));
}

}  // namespace hn
