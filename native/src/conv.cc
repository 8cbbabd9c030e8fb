// 2D convolution over NHWC activations and tfjs' HWIO filters: forward (optionally with bias and
// a fused ReLU), backward data and backward weights. Activations keep their NHWC layout; the
// filter is reordered into whatever layout oneDNN's chosen implementation prefers.
#include "conv-geometry.h"

namespace hn {
namespace {

using namespace conv;
using dnnl::memory;

struct Forward {
  dnnl::convolution_forward prim;
  memory src, dst, bias;
  Weights w;
  Forward(const Geometry& g, bool withBias, bool relu)
      : Forward(g, g.forwardPd(withBias, relu), withBias) {}
  Forward(const Geometry& g, const dnnl::convolution_forward::primitive_desc& pd, bool withBias)
      : prim(pd), src(pd.src_desc(), cpuEngine(), DNNL_MEMORY_NONE), dst(pd.dst_desc(), cpuEngine(), DNNL_MEMORY_NONE),
        w(g, pd.weights_desc(), true) {
    if (withBias) bias = memory(pd.bias_desc(), cpuEngine(), DNNL_MEMORY_NONE);
  }
};

struct BackwardData {
  dnnl::convolution_backward_data prim;
  memory diffDst, diffSrc;
  Weights w;
  explicit BackwardData(const Geometry& g) : BackwardData(g, makePd(g)) {}
  BackwardData(const Geometry& g, const dnnl::convolution_backward_data::primitive_desc& pd)
      : prim(pd), diffDst(pd.diff_dst_desc(), cpuEngine(), DNNL_MEMORY_NONE),
        diffSrc(pd.diff_src_desc(), cpuEngine(), DNNL_MEMORY_NONE), w(g, pd.weights_desc(), true) {}
  static dnnl::convolution_backward_data::primitive_desc makePd(const Geometry& g) {
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.srcMd(), g.anyWeights(), g.dstMd(),
                                            g.strides, g.dilates, g.padL, g.padR);
    return {d, cpuEngine(), g.forwardPd(false, false)};
  }
};

struct BackwardWeights {
  dnnl::convolution_backward_weights prim;
  memory src, diffDst, diffBias;
  Weights w;
  BackwardWeights(const Geometry& g, bool withBias) : BackwardWeights(g, makePd(g, withBias), withBias) {}
  BackwardWeights(const Geometry& g, const dnnl::convolution_backward_weights::primitive_desc& pd, bool withBias)
      : prim(pd), src(pd.src_desc(), cpuEngine(), DNNL_MEMORY_NONE),
        diffDst(pd.diff_dst_desc(), cpuEngine(), DNNL_MEMORY_NONE), w(g, pd.diff_weights_desc(), false) {
    if (withBias) diffBias = memory(pd.diff_bias_desc(), cpuEngine(), DNNL_MEMORY_NONE);
  }
  // With the bias, its gradient comes from the same pass over diff_dst as the filter's.
  static dnnl::convolution_backward_weights::primitive_desc makePd(const Geometry& g, bool withBias) {
    auto d = withBias
      ? dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, g.srcMd(), g.anyWeights(),
          memory::desc(g.bias, dt::f32, tag::x), g.dstMd(), g.strides, g.dilates, g.padL, g.padR)
      : dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, g.srcMd(), g.anyWeights(),
          g.dstMd(), g.strides, g.dilates, g.padL, g.padR);
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
  Geometry g(ints(info[4]));
  bool withBias = !info[2].IsNull() && !info[2].IsUndefined();
  bool relu = flag(info[5]);
  Forward& f = forwards.get(g.id + (withBias ? "b" : "") + (relu ? "r" : ""), [&] {
    return std::make_unique<Forward>(g, withBias, relu);
  });
  auto& s = cpuStream();
  f.w.user.set_data_handle(floats(info[1]));
  if (f.w.toPrim) f.w.toPrim->execute(s, f.w.user, f.w.prim);
  f.src.set_data_handle(floats(info[0]));
  f.dst.set_data_handle(floats(info[3]));
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, f.src}, {DNNL_ARG_WEIGHTS, f.w.prim}, {DNNL_ARG_DST, f.dst}};
  if (withBias) {
    f.bias.set_data_handle(floats(info[2]));
    args[DNNL_ARG_BIAS] = f.bias;
  }
  f.prim.execute(s, args);
  s.wait();
  return info.Env().Undefined();
}

// conv2dBackwardData(dy, filter, dx, geometry)
Napi::Value Conv2dBackwardData(const Napi::CallbackInfo& info) {
  Geometry g(ints(info[3]));
  BackwardData& b = backwardDatas.get(g.id, [&] { return std::make_unique<BackwardData>(g); });
  auto& s = cpuStream();
  b.w.user.set_data_handle(floats(info[1]));
  if (b.w.toPrim) b.w.toPrim->execute(s, b.w.user, b.w.prim);
  b.diffDst.set_data_handle(floats(info[0]));
  b.diffSrc.set_data_handle(floats(info[2]));
  b.prim.execute(s, {{DNNL_ARG_DIFF_DST, b.diffDst}, {DNNL_ARG_WEIGHTS, b.w.prim}, {DNNL_ARG_DIFF_SRC, b.diffSrc}});
  s.wait();
  return info.Env().Undefined();
}

// conv2dBackwardWeights(x, dy, dw, geometry, db?): db, when given, receives the bias gradient.
Napi::Value Conv2dBackwardWeights(const Napi::CallbackInfo& info) {
  Geometry g(ints(info[3]));
  bool withBias = info.Length() > 4 && !info[4].IsNull() && !info[4].IsUndefined();
  BackwardWeights& b = backwardWeights.get(g.id + (withBias ? "b" : ""), [&] { return std::make_unique<BackwardWeights>(g, withBias); });
  auto& s = cpuStream();
  b.src.set_data_handle(floats(info[0]));
  b.diffDst.set_data_handle(floats(info[1]));
  b.w.user.set_data_handle(floats(info[2]));
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, b.src}, {DNNL_ARG_DIFF_DST, b.diffDst}, {DNNL_ARG_DIFF_WEIGHTS, b.w.prim}};
  if (withBias) {
    b.diffBias.set_data_handle(floats(info[4]));
    args[DNNL_ARG_DIFF_BIAS] = b.diffBias;
  }
  b.prim.execute(s, args);
  if (b.w.toUser) b.w.toUser->execute(s, b.w.prim, b.w.user);
  s.wait();
  return info.Env().Undefined();
}

// Which implementation oneDNN picked for a forward conv of this geometry (for profiling).
Napi::Value Conv2dImpl(const Napi::CallbackInfo& info) {
  Geometry g(ints(info[0]));
  std::string kind = info[1].As<Napi::String>();
  std::string name = kind == "forward" ? g.forwardPd(false, false).impl_info_str()
                   : kind == "data"    ? BackwardData::makePd(g).impl_info_str()
                                       : BackwardWeights::makePd(g, false).impl_info_str();
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
