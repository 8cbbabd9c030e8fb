// Node-API wrappers of the data-movement kernels: the strided copy behind Transpose, Slice, Pad
// and Tile; Gather; and NHWC pooling with its gradients.
#include "context.h"
#include "napi-args.h"

namespace hc {
namespace {

// remap(x, y, n, tile, padBits, base, outDims, inDims, inStrides, offsets)
Napi::Value Remap_(const Napi::CallbackInfo& info) {
  Remap m{};
  m.tile = flag(info[3]) ? 1 : 0;
  m.padValue = bits(info[4]);
  m.base = num(info[5]);
  m.rank = fillAxes(info[6], m.outDims, "a remap's output");
  if (fillAxes(info[7], m.inDims, "a remap's input") != m.rank || fillAxes(info[8], m.inStrides, "a remap's strides") != m.rank ||
      fillAxes(info[9], m.offsets, "a remap's offsets") != m.rank) {
    throw std::runtime_error("cuda addon: remap axes of different ranks");
  }
  remap(ptr(info[0]), ptr(info[1]), num(info[2]), m, context().stream());
  return info.Env().Undefined();
}

// gather(x, indices, y, outer, axis, inner, count)
Napi::Value Gather(const Napi::CallbackInfo& info) {
  gather(ptr(info[0]), ptrOf<int32_t>(info[1]), ptr(info[2]), num(info[3]), num(info[4]), num(info[5]), num(info[6]), context().stream());
  return info.Env().Undefined();
}

/** [n, ih, iw, c, oh, ow, kh, kw, sh, sw, pt, pl] */
PoolGeometry geometry(const Napi::Value& v) {
  const std::vector<int64_t> g = ints(v);
  if (g.size() != 12) throw std::runtime_error("cuda addon: pool geometry has 12 numbers");
  return PoolGeometry{static_cast<int>(g[0]), static_cast<int>(g[1]), static_cast<int>(g[2]), static_cast<int>(g[3]),
                      static_cast<int>(g[4]), static_cast<int>(g[5]), static_cast<int>(g[6]), static_cast<int>(g[7]),
                      static_cast<int>(g[8]), static_cast<int>(g[9]), static_cast<int>(g[10]), static_cast<int>(g[11])};
}

// maxPool(x, y, geometry), avgPool(x, y, geometry)
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  maxPool(ptrOf<float>(info[0]), ptrOf<float>(info[1]), geometry(info[2]), context().stream());
  return info.Env().Undefined();
}
Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  avgPool(ptrOf<float>(info[0]), ptrOf<float>(info[1]), geometry(info[2]), context().stream());
  return info.Env().Undefined();
}
// maxPoolGrad(dy, x, dx, geometry), avgPoolGrad(dy, dx, geometry)
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  maxPoolGrad(ptrOf<float>(info[0]), ptrOf<float>(info[1]), ptrOf<float>(info[2]), geometry(info[3]), context().stream());
  return info.Env().Undefined();
}
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  avgPoolGrad(ptrOf<float>(info[0]), ptrOf<float>(info[1]), geometry(info[2]), context().stream());
  return info.Env().Undefined();
}

}  // namespace

void initShapes(Napi::Env env, Napi::Object exports) {
  exports.Set("remap", Napi::Function::New(env, Remap_));
  exports.Set("gather", Napi::Function::New(env, Gather));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("avgPool", Napi::Function::New(env, AvgPool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
}

}  // namespace hc
