// See matmul-primitive.h.
#include "matmul-primitive.h"

namespace hn {
namespace {

using dnnl::memory;
using dt = memory::data_type;

struct Primitive {
  dnnl::matmul prim;
  memory a, b, c, bias;
  std::string impl;  // oneDNN's name for the implementation it chose
  Primitive(dt in, int64_t m, int64_t n, int64_t k, bool transA, bool transB, int64_t biasLength, bool relu) {
    // a: [m, k] stored as such, or as [k, m] when transA; b likewise [k, n] or [n, k].
    memory::desc aMd({m, k}, in, transA ? memory::dims{1, m} : memory::dims{k, 1});
    memory::desc bMd({k, n}, in, transB ? memory::dims{1, k} : memory::dims{n, 1});
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

thread_local Cache<Primitive> primitives;

size_t bytesOf(dt in) { return in == dt::bf16 ? 2 : 4; }

}  // namespace

MatMulDims::MatMulDims(const std::vector<int64_t>& d) {
  if (d.size() != 8) throw std::invalid_argument("matMul dims need 8 integers");
  batch = d[0], m = d[1], n = d[2], k = d[3];
  transA = d[4] != 0, transB = d[5] != 0;
  strideA = d[6] ? m * k : 0, strideB = d[7] ? k * n : 0;
}

void matMulPrimitive(dt in, const void* a, const void* b, float* c, const MatMulDims& d, const float* bias, int64_t biasLength, bool relu) {
  Primitive& p = primitives.get(key({static_cast<int64_t>(in), d.m, d.n, d.k, d.transA, d.transB, biasLength, relu}), [&] {
    return std::make_unique<Primitive>(in, d.m, d.n, d.k, d.transA, d.transB, biasLength, relu);
  });
  auto& s = cpuStream();
  SignalsBlocked quiet;  // as for every oneDNN call that may run a GEMM (see common.h)
  if (biasLength > 0) p.bias.set_data_handle(const_cast<float*>(bias));
  const size_t size = bytesOf(in);
  for (int64_t i = 0; i < d.batch; i++) {
    p.a.set_data_handle(const_cast<char*>(static_cast<const char*>(a) + i * d.strideA * size));
    p.b.set_data_handle(const_cast<char*>(static_cast<const char*>(b) + i * d.strideB * size));
    p.c.set_data_handle(c + i * d.m * d.n);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, p.a}, {DNNL_ARG_WEIGHTS, p.b}, {DNNL_ARG_DST, p.c}};
    if (biasLength > 0) args[DNNL_ARG_BIAS] = p.bias;
    p.prim.execute(s, args);
  }
  s.wait();
}

std::string matMulPrimitiveImpl(dt in, int64_t m, int64_t n, int64_t k, bool transA, bool transB) {
  return Primitive(in, m, n, k, transA, transB, 0, false).impl;
}

}  // namespace hn
