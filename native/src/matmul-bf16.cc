// Mixed-precision (bf16) matrix products for dense layers, as PyTorch's CPU autocast runs
// torch.mm/linear: both operands bf16 (converted once per tensor by the caller, bf16.cc), oneDNN's
// matmul primitive accumulates in float32 and writes float32, with the bias (float32) and ReLU
// fused. Row-major operands; a transposed operand is described by its strides, never copied.
#include "common.h"

namespace hn {
namespace {

using dnnl::memory;
using dt = memory::data_type;

struct MatMulBf16 {
  dnnl::matmul prim;
  memory a, b, c, bias;
  std::string impl;  // oneDNN's name for the implementation it chose
  MatMulBf16(int64_t m, int64_t n, int64_t k, bool transA, bool transB, int64_t biasLength, bool relu) {
    // a: [m, k] stored as such, or as [k, m] when transA; b likewise [k, n] or [n, k].
    memory::desc aMd({m, k}, dt::bf16, transA ? memory::dims{1, m} : memory::dims{k, 1});
    memory::desc bMd({k, n}, dt::bf16, transB ? memory::dims{1, k} : memory::dims{n, 1});
    memory::desc cMd({m, n}, dt::f32, memory::dims{n, 1});
    dnnl::primitive_attr attr;
    if (relu) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    dnnl::matmul::primitive_desc pd = biasLength > 0
      ? dnnl::matmul::primitive_desc(dnnl::matmul::desc(aMd, bMd, memory::desc({1, biasLength}, dt::f32, memory::dims{biasLength, 1}), cMd), attr, cpuEngine())
      : dnnl::matmul::primitive_desc(dnnl::matmul::desc(aMd, bMd, cMd), attr, cpuEngine());
    prim = dnnl::matmul(pd);
    impl = pd.impl_info_str();
    a = memory(aMd, cpuEngine(), DNNL_MEMORY_NONE);
    b = memory(bMd, cpuEngine(), DNNL_MEMORY_NONE);
    c = memory(cMd, cpuEngine(), DNNL_MEMORY_NONE);
    if (biasLength > 0) bias = memory(pd.bias_desc(), cpuEngine(), DNNL_MEMORY_NONE);
  }
};

thread_local Cache<MatMulBf16> matmuls;

// matMulBf16(a: bf16, b: bf16, c: f32, [batch, m, n, k, transA, transB, aBatched, bBatched], bias | null, relu)
// The same contract as matMul (matmul.cc), with bf16 operands; bias: float32, length n or 1.
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  const uint16_t* a = bf16s(info[0]);
  const uint16_t* b = bf16s(info[1]);
  float* c = floats(info[2]);
  std::vector<int64_t> d = ints(info[3]);
  if (d.size() != 8) throw std::invalid_argument("matMulBf16 dims need 8 integers");
  const int64_t batch = d[0], m = d[1], n = d[2], k = d[3];
  const bool transA = d[4] != 0, transB = d[5] != 0;
  const int64_t strideA = d[6] ? m * k : 0, strideB = d[7] ? k * n : 0;
  const bool withBias = !info[4].IsNull() && !info[4].IsUndefined();
  const int64_t biasLength = withBias ? static_cast<int64_t>(length(info[4])) : 0;
  const bool relu = flag(info[5]);
  MatMulBf16& p = matmuls.get(key({m, n, k, transA, transB, biasLength, relu}), [&] {
    return std::make_unique<MatMulBf16>(m, n, k, transA, transB, biasLength, relu);
  });
  auto& s = cpuStream();
  SignalsBlocked quiet;  // as for the float32 GEMMs (see common.h)
  if (withBias) p.bias.set_data_handle(floats(info[4]));
  for (int64_t i = 0; i < batch; i++) {
    p.a.set_data_handle(const_cast<uint16_t*>(a + i * strideA));
    p.b.set_data_handle(const_cast<uint16_t*>(b + i * strideB));
    p.c.set_data_handle(c + i * m * n);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, p.a}, {DNNL_ARG_WEIGHTS, p.b}, {DNNL_ARG_DST, p.c}};
    if (withBias) args[DNNL_ARG_BIAS] = p.bias;
    p.prim.execute(s, args);
  }
  s.wait();
  return info.Env().Undefined();
}

// Which implementation oneDNN picked for a bf16 matmul of these dims (profiling, tests).
Napi::Value MatMulImpl(const Napi::CallbackInfo& info) {
  std::vector<int64_t> d = ints(info[0]);
  if (d.size() != 5) throw std::invalid_argument("matMulImplBf16 needs [m, n, k, transA, transB]");
  MatMulBf16 p(d[0], d[1], d[2], d[3] != 0, d[4] != 0, 0, false);
  return Napi::String::New(info.Env(), p.impl);
}

}  // namespace

void initMatMulBf16(Napi::Env env, Napi::Object exports) {
  exports.Set("matMulBf16", Napi::Function::New(env, flushed<MatMul>));
  exports.Set("matMulImplBf16", Napi::Function::New(env, MatMulImpl));
}

}  // namespace hn
