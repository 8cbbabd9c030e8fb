// The geometry of a 2D convolution (NHWC activations, tfjs' HWIO filters) and the filter held in
// the layout a primitive prefers: shared by the float32 kernels (conv.cc) and the bf16 ones
// (conv-bf16.cc).
#pragma once
#include <cstdlib>
#include <new>

#include "common.h"

namespace hn {
namespace conv {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

/**
 * Whether float32 convolutions over `inChannels` run on oneDNN's blocked activations (nChw8c),
 * reordered from and to the caller's NHWC around each call, as PyTorch runs them. Below AVX-512,
 * oneDNN 2.6's jit:avx2 kernels ran up to 1.7x faster on them than on NHWC over 64-128 input
 * channels and no slower over 32, the reorders costing under 0.3 ms a call (a Zen 3 EPYC,
 * bench/RESULTS.md); over one channel NHWC was faster (the filter gradient 3x). With AVX-512 the
 * NHWC kernels (brgconv) stay: nothing measured there says otherwise.
 */
inline bool blockedActivations(int64_t inChannels) {
  static const bool belowAvx512 = [] {
    const auto core = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
    return (static_cast<unsigned>(dnnl::get_effective_cpu_isa()) & core) != core;
  }();
  return belowAvx512 && inChannels >= 8;
}

/** geometry: [n, ih, iw, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr] (dh/dw as tfjs: 1 = none). */
struct Geometry {
  memory::dims src, weights, dst, bias, strides, dilates, padL, padR;
  std::string id;
  bool blocked;  // the float32 primitives' activations: blockedActivations()
  explicit Geometry(const std::vector<int64_t>& g) {
    if (g.size() != 17) throw std::invalid_argument("conv geometry needs 17 integers");
    blocked = blockedActivations(g[3]);
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
  /** The caller's activations: NHWC. */
  memory::desc srcMd() const { return {src, dt::f32, tag::nhwc}; }
  memory::desc dstMd() const { return {dst, dt::f32, tag::nhwc}; }
  /** What the float32 primitives are created on: NHWC, or the layout oneDNN prefers where blocked. */
  memory::desc primSrcMd() const { return {src, dt::f32, blocked ? tag::any : tag::nhwc}; }
  memory::desc primDstMd() const { return {dst, dt::f32, blocked ? tag::any : tag::nhwc}; }
  memory::desc anyWeights() const { return {weights, dt::f32, tag::any}; }
  memory::desc userWeights() const { return {weights, dt::f32, tag::hwio}; }

  dnnl::convolution_forward::primitive_desc forwardPd(bool withBias, bool relu) const {
    auto d = withBias
      ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
          primSrcMd(), anyWeights(), memory::desc(bias, dt::f32, tag::x), primDstMd(), strides, dilates, padL, padR)
      : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
          primSrcMd(), anyWeights(), primDstMd(), strides, dilates, padL, padR);
    dnnl::primitive_attr attr;
    if (relu) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    return dnnl::convolution_forward::primitive_desc(d, attr, cpuEngine());
  }
};

/** A thread's scratch buffer: the blocked copies of one call's activations. */
struct ScratchBuffer {
  void* data = nullptr;
  size_t size = 0;
  ~ScratchBuffer() { release(); }
  void release() {
    std::free(data);
    data = nullptr;
    size = 0;
  }
};

inline ScratchBuffer* scratchBuffers() {
  thread_local ScratchBuffer buffers[2];
  return buffers;
}

/**
 * The calling thread's scratch buffer `slot` (0 or 1) of at least `bytes`. One call runs at a time
 * on a thread, so every shape shares two buffers instead of each cached primitive holding its own.
 */
inline void* scratch(int slot, size_t bytes) {
  ScratchBuffer& b = scratchBuffers()[slot];
  if (b.size < bytes) {
    const size_t size = (bytes + 63) / 64 * 64;  // aligned_alloc wants a multiple of the alignment
    b.release();
    b.data = std::aligned_alloc(64, size);
    if (!b.data) throw std::bad_alloc();
    b.size = size;
  }
  return b.data;
}

/**
 * Declared first in a conv entry point: when the call ends, frees a scratch buffer grown past
 * 64 MiB (a training batch's activations and a prediction of 64 images stay below it), so that
 * one large prediction does not hold its size for the thread's life.
 */
struct ScratchTrim {
  static constexpr size_t kKept = size_t{64} << 20;
  ScratchTrim() = default;
  ScratchTrim(const ScratchTrim&) = delete;
  ScratchTrim& operator=(const ScratchTrim&) = delete;
  ~ScratchTrim() {
    for (int i = 0; i < 2; i++)
      if (scratchBuffers()[i].size > kKept) scratchBuffers()[i].release();
  }
};

/**
 * A caller's buffer in its layout and, where the primitive takes another, the primitive's copy and
 * the reorder between them: into the copy for an input, out of it for an output. The copy is the
 * operand's own (weights: reused across calls) or the thread's scratch `slot` (activations).
 */
struct Operand {
  memory user, prim;
  std::unique_ptr<dnnl::reorder> toPrim, toUser;
  int slot;
  Operand(const memory::desc& userMd, const memory::desc& primMd, bool input, int scratchSlot = -1) : slot(scratchSlot) {
    user = memory(userMd, cpuEngine(), DNNL_MEMORY_NONE);
    if (primMd == userMd) {  // no copy: the primitive reads and writes the caller's buffer
      prim = user;
      slot = -1;
      return;
    }
    prim = scratchSlot < 0 ? memory(primMd, cpuEngine()) : memory(primMd, cpuEngine(), DNNL_MEMORY_NONE);
    if (input) toPrim = std::make_unique<dnnl::reorder>(user, prim);
    else toUser = std::make_unique<dnnl::reorder>(prim, user);
  }
  /** The primitive's memory for an input at `data`, reordered into its layout where it differs. */
  const memory& in(dnnl::stream& s, void* data) {
    bind(data);
    if (toPrim) toPrim->execute(s, user, prim);
    return prim;
  }
  /** The primitive's memory for an output to land at `data`; written() then brings it there. */
  const memory& out(void* data) {
    bind(data);
    return prim;
  }
  void written(dnnl::stream& s) {
    if (toUser) toUser->execute(s, prim, user);
  }

 private:
  void bind(void* data) {
    user.set_data_handle(data);
    if (slot >= 0) prim.set_data_handle(scratch(slot, prim.get_desc().get_size()));
  }
};

/** The weights in the primitive's layout, refreshed from (or written back to) the user's HWIO buffer. */
struct Weights : Operand {
  Weights(const Geometry& g, const memory::desc& primMd, bool toPrimitive) : Operand(g.userWeights(), primMd, toPrimitive) {}
};

}  // namespace conv
}  // namespace hn
