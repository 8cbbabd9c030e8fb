// 2D convolution over NHWC activations and tfjs' HWIO filters: forward (optionally with bias and
// a fused ReLU), backward data and backward weights. The caller's activations are NHWC; the
// primitives run on them as they are, or on blocked copies where conv-geometry.h's
// blockedActivations says so; the filter is reordered into whatever layout oneDNN's chosen
// implementation prefers.
#include "conv-geometry.h"

namespace hn {
namespace {

using namespace conv;
using dnnl::memory;

struct Forward {
  dnnl::convolution_forward prim;
  Operand src, dst;
  memory bias;
  Weights w;
  Forward(const Geometry& g, bool withBias, bool relu)
      : Forward(g, g.forwardPd(withBias, relu), withBias) {}
  Forward(const Geometry& g, const dnnl::convolution_forward::primitive_desc& pd, bool withBias)
      : prim(pd), src(g.srcMd(), pd.src_desc(), true, 0), dst(g.dstMd(), pd.dst_desc(), false, 1),
        w(g, pd.weights_desc(), true) {
    if (withBias) bias = memory(pd.bias_desc(), cpuEngine(), DNNL_MEMORY_NONE);
  }
};

struct BackwardData {
  dnnl::convolution_backward_data prim;
  Operand diffDst, diffSrc;
  Weights w;
  explicit BackwardData(const Geometry& g) : BackwardData(g, makePd(g)) {}
  BackwardData(const Geometry& g, const dnnl::convolution_backward_data::primitive_desc& pd)
      : prim(pd), diffDst(g.dstMd(), pd.diff_dst_desc(), true, 0),
        diffSrc(g.srcMd(), pd.diff_src_desc(), false, 1), w(g, pd.weights_desc(), true) {}
  static dnnl::convolution_backward_data::primitive_desc makePd(const Geometry& g) {
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.primSrcMd(), g.anyWeights(), g.primDstMd(),
                                            g.strides, g.dilates, g.padL, g.padR);
    return {d, cpuEngine(), g.forwardPd(false, false)};
  }
};

struct BackwardWeights {
  dnnl::convolution_backward_weights prim;
  Operand src, diffDst;
  memory diffBias;
  Weights w;
  BackwardWeights(const Geometry& g, bool withBias) : BackwardWeights(g, makePd(g, withBias), withBias) {}
  BackwardWeights(const Geometry& g, const dnnl::convolution_backward_weights::primitive_desc& pd, bool withBias)
      : prim(pd), src(g.srcMd(), pd.src_desc(), true, 0),
        diffDst(g.dstMd(), pd.diff_dst_desc(), true, 1), w(g, pd.diff_weights_desc(), false) {
    if (withBias) diffBias = memory(pd.diff_bias_desc(), cpuEngine(), DNNL_MEMORY_NONE);
  }
  // With the bias, its gradient comes from the same pass over diff_dst as the filter's.
  static dnnl::convolution_backward_weights::primitive_desc makePd(const Geometry& g, bool withBias) {
    auto d = withBias
      ? dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, g.primSrcMd(), g.anyWeights(),
          memory::desc(g.bias, dt::f32, tag::x), g.primDstMd(), g.strides, g.dilates, g.padL, g.padR)
      : dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, g.primSrcMd(), g.anyWeights(),
          g.primDstMd(), g.strides, g.dilates, g.padL, g.padR);
    return {d, cpuEngine(), g.forwardPd(withBias, false)};
  }
};

// Per thread: a cached primitive holds memory objects whose data handles each call rebinds, so
// two threads (the API's inference pool) must never share one.
thread_local Cache<Forward> forwards;
thread_local Cache<BackwardData> backwardDatas;
thread_local Cache<BackwardWeights> backwardWeights;

// conv2dForward(x, filter, bias | null, y, geometry, relu)
Napi::Value Conv2dForward(const Napi::CallbackInfo& info) {
  ScratchTrim trim;
  Geometry g(ints(info[4]));
  bool withBias = !info[2].IsNull() && !info[2].IsUndefined();
  bool relu = flag(info[5]);
  Forward& f = forwards.get(g.id + (withBias ? "b" : "") + (relu ? "r" : ""), [&] {
    return std::make_unique<Forward>(g, withBias, relu);
  });
  auto& s = cpuStream();
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, f.src.in(s, floats(info[0]))}, {DNNL_ARG_WEIGHTS, f.w.in(s, floats(info[1]))}, {DNNL_ARG_DST, f.dst.out(floats(info[3]))}};
  if (withBias) {
    f.bias.set_data_handle(floats(info[2]));
    args[DNNL_ARG_BIAS] = f.bias;
  }
  f.prim.execute(s, args);
  f.dst.written(s);
  s.wait();
  return info.Env().Undefined();
}

// conv2dBackwardData(dy, filter, dx, geometry)
Napi::Value Conv2dBackwardData(const Napi::CallbackInfo& info) {
  ScratchTrim trim;
  Geometry g(ints(info[3]));
  BackwardData& b = backwardDatas.get(g.id, [&] { return std::make_unique<BackwardData>(g); });
  auto& s = cpuStream();
  b.prim.execute(s, {{DNNL_ARG_DIFF_DST, b.diffDst.in(s, floats(info[0]))}, {DNNL_ARG_WEIGHTS, b.w.in(s, floats(info[1]))},
                     {DNNL_ARG_DIFF_SRC, b.diffSrc.out(floats(info[2]))}});
  b.diffSrc.written(s);
  s.wait();
  return info.Env().Undefined();
}

// conv2dBackwardWeights(x, dy, dw, geometry, db?): db, when given, receives the bias gradient.
Napi::Value Conv2dBackwardWeights(const Napi::CallbackInfo& info) {
  ScratchTrim trim;
  Geometry g(ints(info[3]));
  bool withBias = info.Length() > 4 && !info[4].IsNull() && !info[4].IsUndefined();
  BackwardWeights& b = backwardWeights.get(g.id + (withBias ? "b" : ""), [&] { return std::make_unique<BackwardWeights>(g, withBias); });
  auto& s = cpuStream();
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, b.src.in(s, floats(info[0]))}, {DNNL_ARG_DIFF_DST, b.diffDst.in(s, floats(info[1]))}, {DNNL_ARG_DIFF_WEIGHTS, b.w.out(floats(info[2]))}};
  if (withBias) {
    b.diffBias.set_data_handle(floats(info[4]));
    args[DNNL_ARG_DIFF_BIAS] = b.diffBias;
  }
  b.prim.execute(s, args);
  b.w.written(s);
  s.wait();
  return info.Env().Undefined();
}

// Which implementation oneDNN picked for a conv of this geometry, and whether it runs on blocked
// copies of the activations (" on blocked activations"): for profiling and the tests.
Napi::Value Conv2dImpl(const Napi::CallbackInfo& info) {
  Geometry g(ints(info[0]));
  std::string kind = info[1].As<Napi::String>();
  auto described = [&](const auto& pd, const memory::desc& src) {
    return std::string(pd.impl_info_str()) + (src == g.srcMd() ? "" : " on blocked activations");
  };
  std::string name;
  if (kind == "forward") {
    auto pd = g.forwardPd(false, false);
    name = described(pd, pd.src_desc());
  } else if (kind == "data") {
    auto pd = BackwardData::makePd(g);
    name = described(pd, pd.diff_src_desc());
  } else {
    auto pd = BackwardWeights::makePd(g, false);
    name = described(pd, pd.src_desc());
  }
  return Napi::String::New(info.Env(), name);
}

}  // namespace

void initConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForward", Napi::Function::New(env, flushed<Conv2dForward>));
  exports.Set("conv2dBackwardData", Napi::Function::New(env, flushed<Conv2dBackwardData>));
  exports.Set("conv2dBackwardWeights", Napi::Function::New(env, flushed<Conv2dBackwardWeights>));
  exports.Set("conv2dImpl", Napi::Function::New(env, Conv2dImpl));
}

}  // namespace hn
