// Mixed-precision (bf16) convolutions, as PyTorch's CPU autocast runs them: the activations come
// in as bf16 (converted once per tensor by the caller, bf16.cc), the float32 HWIO filter is
// reordered straight into the primitive's bf16 layout, oneDNN accumulates in float32, and every
// output (forward activations, data gradients, filter gradients) is float32, except a forward
// output that only bf16 kernels read (native's direct step). Only these three kernels change
// precision: everything around them stays float32.
#include "conv-geometry.h"

namespace hn {
namespace {

using namespace conv;
using dnnl::memory;

memory::desc bf16Src(const Geometry& g) { return {g.src, dt::bf16, tag::nhwc}; }
memory::desc bf16Dst(const Geometry& g) { return {g.dst, dt::bf16, tag::nhwc}; }
memory::desc anyBf16Weights(const Geometry& g) { return {g.weights, dt::bf16, tag::any}; }

// bf16Dst: the output rounded to bf16 by oneDNN (round to nearest even, as toBf16 would round the
// float32 output), for a direct step whose next kernels read only its bf16 copy (direct-step.ts).
dnnl::convolution_forward::primitive_desc forwardPd(const Geometry& g, bool withBias, bool relu, bool bf16Out = false) {
  const memory::desc dst = bf16Out ? bf16Dst(g) : g.dstMd();
  auto d = withBias
    ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
        bf16Src(g), anyBf16Weights(g), memory::desc(g.bias, dt::f32, tag::x), dst, g.strides, g.dilates, g.padL, g.padR)
    : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
        bf16Src(g), anyBf16Weights(g), dst, g.strides, g.dilates, g.padL, g.padR);
  dnnl::primitive_attr attr;
  if (relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  return dnnl::convolution_forward::primitive_desc(d, attr, cpuEngine());
}

struct Forward {
  dnnl::convolution_forward prim;
  memory src, dst, bias;
  Weights w;
  // The filter tensor (the caller's serial number) whose bf16 copy w.prim holds: a validation pass
  // runs every batch on the same weights, so the reorder happens once per epoch there, not per batch.
  double filterKey = 0;
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
  BackwardData(const Geometry& g, const dnnl::convolution_backward_data::primitive_desc& pd)
      : prim(pd), diffDst(pd.diff_dst_desc(), cpuEngine(), DNNL_MEMORY_NONE),
        diffSrc(pd.diff_src_desc(), cpuEngine(), DNNL_MEMORY_NONE), w(g, pd.weights_desc(), true) {}
  static dnnl::convolution_backward_data::primitive_desc makePd(const Geometry& g) {
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.srcMd(), anyBf16Weights(g), bf16Dst(g),
                                            g.strides, g.dilates, g.padL, g.padR);
    return {d, cpuEngine(), forwardPd(g, false, false)};
  }
};

struct BackwardWeights {
  dnnl::convolution_backward_weights prim;
  memory src, diffDst;
  Weights w;  // float32 filter gradient: only its inputs are bf16
  BackwardWeights(const Geometry& g, const dnnl::convolution_backward_weights::primitive_desc& pd)
      : prim(pd), src(pd.src_desc(), cpuEngine(), DNNL_MEMORY_NONE),
        diffDst(pd.diff_dst_desc(), cpuEngine(), DNNL_MEMORY_NONE), w(g, pd.diff_weights_desc(), false) {}
  static dnnl::convolution_backward_weights::primitive_desc makePd(const Geometry& g) {
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, bf16Src(g), g.anyWeights(),
                                               bf16Dst(g), g.strides, g.dilates, g.padL, g.padR);
    return {d, cpuEngine(), forwardPd(g, false, false)};
  }
};

// Per thread, as conv.cc's: cached primitives hold memory objects whose handles each call rebinds.
thread_local Cache<Forward> forwards;
thread_local Cache<BackwardData> backwardDatas;
thread_local Cache<BackwardWeights> backwardWeights;

// conv2dForwardBf16(x: bf16 NHWC, filter: f32 HWIO, bias | null, y: f32 or bf16, geometry, relu, filterKey)
// filterKey: a number naming the filter tensor (0: unknown, always reorder).
Napi::Value Conv2dForwardBf16(const Napi::CallbackInfo& info) {
  Geometry g(ints(info[4]));
  bool withBias = !info[2].IsNull() && !info[2].IsUndefined();
  bool relu = flag(info[5]);
  double filterKey = info[6].As<Napi::Number>().DoubleValue();
  const bool bf16Out = info[3].As<Napi::TypedArray>().TypedArrayType() == napi_uint16_array;
  Forward& f = forwards.get(g.id + (withBias ? "b" : "") + (relu ? "r" : "") + (bf16Out ? "h" : ""), [&] {
    return std::make_unique<Forward>(g, forwardPd(g, withBias, relu, bf16Out), withBias);
  });
  auto& s = cpuStream();
  if (filterKey == 0 || filterKey != f.filterKey) {
    f.w.user.set_data_handle(floats(info[1]));
    f.w.toPrim->execute(s, f.w.user, f.w.prim);  // f32 HWIO -> bf16, never the same layout
    f.filterKey = filterKey;
  }
  f.src.set_data_handle(bf16s(info[0]));
  f.dst.set_data_handle(bf16Out ? static_cast<void*>(bf16s(info[3])) : floats(info[3]));
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, f.src}, {DNNL_ARG_WEIGHTS, f.w.prim}, {DNNL_ARG_DST, f.dst}};
  if (withBias) {
    f.bias.set_data_handle(floats(info[2]));
    args[DNNL_ARG_BIAS] = f.bias;
  }
  f.prim.execute(s, args);
  s.wait();
  return info.Env().Undefined();
}

// conv2dBackwardDataBf16(dy: bf16 NHWC, filter: f32 HWIO, dx: f32, geometry)
Napi::Value Conv2dBackwardDataBf16(const Napi::CallbackInfo& info) {
  Geometry g(ints(info[3]));
  BackwardData& b = backwardDatas.get(g.id, [&] { return std::make_unique<BackwardData>(g, BackwardData::makePd(g)); });
  auto& s = cpuStream();
  b.w.user.set_data_handle(floats(info[1]));
  b.w.toPrim->execute(s, b.w.user, b.w.prim);
  b.diffDst.set_data_handle(bf16s(info[0]));
  b.diffSrc.set_data_handle(floats(info[2]));
  b.prim.execute(s, {{DNNL_ARG_DIFF_DST, b.diffDst}, {DNNL_ARG_WEIGHTS, b.w.prim}, {DNNL_ARG_DIFF_SRC, b.diffSrc}});
  s.wait();
  return info.Env().Undefined();
}

// conv2dBackwardWeightsBf16(x: bf16 NHWC, dy: bf16 NHWC, dw: f32 HWIO, geometry)
Napi::Value Conv2dBackwardWeightsBf16(const Napi::CallbackInfo& info) {
  Geometry g(ints(info[3]));
  BackwardWeights& b = backwardWeights.get(g.id, [&] { return std::make_unique<BackwardWeights>(g, BackwardWeights::makePd(g)); });
  auto& s = cpuStream();
  b.src.set_data_handle(bf16s(info[0]));
  b.diffDst.set_data_handle(bf16s(info[1]));
  b.w.user.set_data_handle(floats(info[2]));
  b.prim.execute(s, {{DNNL_ARG_SRC, b.src}, {DNNL_ARG_DIFF_DST, b.diffDst}, {DNNL_ARG_DIFF_WEIGHTS, b.w.prim}});
  if (b.w.toUser) b.w.toUser->execute(s, b.w.prim, b.w.user);
  s.wait();
  return info.Env().Undefined();
}

// Which implementation oneDNN picked for a bf16 conv of this geometry (profiling, tests).
Napi::Value Conv2dImplBf16(const Napi::CallbackInfo& info) {
  Geometry g(ints(info[0]));
  std::string kind = info[1].As<Napi::String>();
  std::string name = kind == "forward" ? forwardPd(g, false, false).impl_info_str()
                   : kind == "data"    ? BackwardData::makePd(g).impl_info_str()
                                       : BackwardWeights::makePd(g).impl_info_str();
  return Napi::String::New(info.Env(), name);
}

}  // namespace

void initConvBf16(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForwardBf16", Napi::Function::New(env, flushed<Conv2dForwardBf16>));
  exports.Set("conv2dBackwardDataBf16", Napi::Function::New(env, flushed<Conv2dBackwardDataBf16>));
  exports.Set("conv2dBackwardWeightsBf16", Napi::Function::New(env, flushed<Conv2dBackwardWeightsBf16>));
  exports.Set("conv2dImplBf16", Napi::Function::New(env, Conv2dImplBf16));
}

}  // namespace hn
