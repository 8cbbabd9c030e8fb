// Node-API wrappers of the element-wise, reduction, softmax, Adam, cast and batch-norm kernels
// (kernels.h says what each computes). Arguments are device pointers and sizes; the TypeScript
// side (src/training/cuda/) works out shapes, broadcasts and output buffers.
#include "context.h"
#include "napi-args.h"

namespace hc {
namespace {

cudaStream_t stream() { return context().stream(); }

/** A Broadcast from the output dims and one stride array per input. */
Broadcast broadcast(const Napi::CallbackInfo& info, int dimsArg, int inputs) {
  Broadcast b{};
  b.rank = fillAxes(info[dimsArg], b.dims, "a broadcast");
  for (int k = 0; k < inputs; k++) {
    if (fillAxes(info[dimsArg + 1 + k], b.strides[k], "a broadcast's strides") != b.rank) {
      throw std::runtime_error("cuda addon: broadcast strides do not match the output rank");
    }
  }
  return b;
}

// unary(op, dtype, x, y, n, alpha, beta)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  unary(static_cast<int>(num(info[0])), static_cast<int>(num(info[1])), ptr(info[2]), ptr(info[3]), num(info[4]), real(info[5]), real(info[6]), stream());
  return info.Env().Undefined();
}

// binary(op, dtype, a, b, out, n, dims, aStrides, bStrides)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  binary(static_cast<int>(num(info[0])), static_cast<int>(num(info[1])), ptr(info[2]), ptr(info[3]), ptr(info[4]), num(info[5]),
         broadcast(info, 6, 2), stream());
  return info.Env().Undefined();
}

// select(cond, a, b, out, n, dims, condStrides, aStrides, bStrides)
Napi::Value Select(const Napi::CallbackInfo& info) {
  select(ptrOf<int32_t>(info[0]), ptr(info[1]), ptr(info[2]), ptr(info[3]), num(info[4]), broadcast(info, 5, 3), stream());
  return info.Env().Undefined();
}

// biasActivation(y, bias | null, rows, cols, act, alpha)
Napi::Value BiasActivation(const Napi::CallbackInfo& info) {
  biasActivation(ptrOf<float>(info[0]), ptrOf<float>(info[1]), num(info[2]), num(info[3]), static_cast<int>(num(info[4])), real(info[5]), stream());
  return info.Env().Undefined();
}

// reduce(op, dtype, x, out, outer, size, inner)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  reduce(static_cast<int>(num(info[0])), static_cast<int>(num(info[1])), ptr(info[2]), ptr(info[3]), num(info[4]), num(info[5]), num(info[6]), stream());
  return info.Env().Undefined();
}

// softmax(x, y, rows, cols)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  softmax(ptrOf<float>(info[0]), ptrOf<float>(info[1]), num(info[2]), num(info[3]), stream());
  return info.Env().Undefined();
}

// adam(p, m, v, g, pOut, mOut, vOut, n, [b1, 1-b1, b2, 1-b2, 1-b1^t, 1-b2^t, eps, -lr])
Napi::Value Adam(const Napi::CallbackInfo& info) {
  Napi::Array s = info[8].As<Napi::Array>();
  if (s.Length() != 8) throw std::runtime_error("cuda addon: adam takes 8 scalars");
  float k[8];
  for (uint32_t i = 0; i < 8; i++) k[i] = s.Get(i).As<Napi::Number>().FloatValue();
  adam(ptrOf<float>(info[0]), ptrOf<float>(info[1]), ptrOf<float>(info[2]), ptrOf<float>(info[3]), ptrOf<float>(info[4]),
       ptrOf<float>(info[5]), ptrOf<float>(info[6]), num(info[7]), k, stream());
  return info.Env().Undefined();
}

// cast(fromDtype, toDtype, x, y, n) / castToBool(fromDtype, x, y, n)
Napi::Value Cast(const Napi::CallbackInfo& info) {
  cast(static_cast<int>(num(info[0])), static_cast<int>(num(info[1])), ptr(info[2]), ptr(info[3]), num(info[4]), stream());
  return info.Env().Undefined();
}
Napi::Value CastToBool(const Napi::CallbackInfo& info) {
  castToBool(static_cast<int>(num(info[0])), ptr(info[1]), ptrOf<int32_t>(info[2]), num(info[3]), stream());
  return info.Env().Undefined();
}

// fill(y, bits, n): every 4-byte element set to `bits` (a float's or an int's bit pattern).
Napi::Value Fill(const Napi::CallbackInfo& info) {
  fill(ptr(info[0]), bits(info[1]), num(info[2]), stream());
  return info.Env().Undefined();
}

// oneHot(indices, y, n, depth, onBits, offBits)
Napi::Value OneHot(const Napi::CallbackInfo& info) {
  oneHot(ptrOf<int32_t>(info[0]), ptr(info[1]), num(info[2]), num(info[3]), bits(info[4]), bits(info[5]), stream());
  return info.Env().Undefined();
}

// batchNorm(x, mean, nMean, variance, nVariance, offset | null, nOffset, scale | null, nScale, epsilon, y, n)
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  batchNorm(ptrOf<float>(info[0]), ptrOf<float>(info[1]), num(info[2]), ptrOf<float>(info[3]), num(info[4]), ptrOf<float>(info[5]),
            num(info[6]), ptrOf<float>(info[7]), num(info[8]), real(info[9]), ptrOf<float>(info[10]), num(info[11]), stream());
  return info.Env().Undefined();
}

}  // namespace

void initElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("select", Napi::Function::New(env, Select));
  exports.Set("biasActivation", Napi::Function::New(env, BiasActivation));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("adam", Napi::Function::New(env, Adam));
  exports.Set("cast", Napi::Function::New(env, Cast));
  exports.Set("castToBool", Napi::Function::New(env, CastToBool));
  exports.Set("fill", Napi::Function::New(env, Fill));
  exports.Set("oneHot", Napi::Function::New(env, OneHot));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
}

}  // namespace hc
