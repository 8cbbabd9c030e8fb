// The geometry of a 2D convolution (NHWC activations, tfjs' HWIO filters) and the filter held in
// the layout a primitive prefers: shared by the float32 kernels (conv.cc) and the bf16 ones
// (conv-bf16.cc).
#pragma once
#include "common.h"

namespace hn {
namespace conv {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

/** geometry: [n, ih, iw, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr] (dh/dw as tfjs: 1 = none). */
struct Geometry {
  memory::dims src, weights, dst, bias, strides, dilates, padL, padR;
  std::string id;
  explicit Geometry(const std::vector<int64_t>& g) {
    if (g.size() != 17) throw std::invalid_argument("conv geometry needs 17 integers");
    src = {g[0], g[3], g[1], g[2]};
    weights = {g[6], g[3], g[7], g[8]};
    dst = {g[0], g[6], g[4], g[5]};
    bias = {g[6]};
    strides = {g[9], g[10]};
    dilates = {g[11] - 1, g[12] - 1};
    padL = {g[13], g[14]};
    padR = {g[15], g[16]};
    for (int64_t v : g) id += std::to_string(v) + ',';
  }
  memory::desc srcMd() const { return {src, dt::f32, tag::nhwc}; }
  memory::desc dstMd() const { return {dst, dt::f32, tag::nhwc}; }
  memory::desc anyWeights() const { return {weights, dt::f32, tag::any}; }
  memory::desc userWeights() const { return {weights, dt::f32, tag::hwio}; }

  dnnl::convolution_forward::primitive_desc forwardPd(bool withBias, bool relu) const {
    auto d = withBias
      ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
          srcMd(), anyWeights(), memory::desc(bias, dt::f32, tag::x), dstMd(), strides, dilates, padL, padR)
      : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
          srcMd(), anyWeights(), dstMd(), strides, dilates, padL, padR);
    dnnl::primitive_attr attr;
    if (relu) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    return dnnl::convolution_forward::primitive_desc(d, attr, cpuEngine());
  }
};

/** The weights in the primitive's layout, refreshed from (or written back to) the user's HWIO buffer. */
struct Weights {
  memory user, prim;
  std::unique_ptr<dnnl::reorder> toPrim, toUser;
  Weights(const Geometry& g, const memory::desc& primMd, bool toPrimitive) {
    user = memory(g.userWeights(), cpuEngine(), DNNL_MEMORY_NONE);
    if (primMd == g.userWeights()) { prim = user; return; }
    prim = memory(primMd, cpuEngine());
    if (toPrimitive) toPrim = std::make_unique<dnnl::reorder>(user, prim);
    else toUser = std::make_unique<dnnl::reorder>(prim, user);
  }
  bool direct() const { return !toPrim && !toUser; }
};

}  // namespace conv
}  // namespace hn
