// Argument unpacking for the Node-API functions. Device pointers travel to JavaScript as plain
// numbers: x86-64 virtual addresses (device ones included, under CUDA's unified addressing) fit in
// 48 bits, well inside a double's exact 53, and numbers keep the TypeScript side simple (pointer
// arithmetic for views). 0 is null.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kernels.h"

namespace hc {

inline void* ptr(const Napi::Value& v) {
  if (v.IsNull() || v.IsUndefined()) return nullptr;
  return reinterpret_cast<void*>(static_cast<uintptr_t>(v.As<Napi::Number>().Int64Value()));
}
inline Napi::Number fromPtr(Napi::Env env, const void* p) {
  const uintptr_t bits = reinterpret_cast<uintptr_t>(p);
  if (bits >= (uintptr_t{1} << 53)) throw std::runtime_error("cuda addon: a device pointer does not fit a JS number");
  return Napi::Number::New(env, static_cast<double>(bits));
}
template <typename T>
inline T* ptrOf(const Napi::Value& v) { return static_cast<T*>(ptr(v)); }
inline int64_t num(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }
inline float real(const Napi::Value& v) { return v.As<Napi::Number>().FloatValue(); }
inline uint32_t bits(const Napi::Value& v) { return v.As<Napi::Number>().Uint32Value(); }
inline bool flag(const Napi::Value& v) { return v.As<Napi::Boolean>().Value(); }

inline std::vector<int64_t> ints(const Napi::Value& v) {
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out[i] = a.Get(i).As<Napi::Number>().Int64Value();
  return out;
}

/** Fills a fixed-size axis array from a JS array, checking the rank. */
inline int fillAxes(const Napi::Value& v, int64_t (&out)[MAX_RANK], const char* what) {
  const std::vector<int64_t> values = ints(v);
  if (values.size() > static_cast<size_t>(MAX_RANK)) throw std::runtime_error(std::string("cuda addon: ") + what + " has rank > 6");
  for (size_t i = 0; i < values.size(); i++) out[i] = values[i];
  return static_cast<int>(values.size());
}

/** Bytes and data of a typed array argument (byteOffset applied). */
inline uint8_t* bytesOf(const Napi::Value& v, size_t* length) {
  Napi::TypedArray a = v.As<Napi::TypedArray>();
  *length = a.ByteLength();
  return static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
}

void initMemory(Napi::Env env, Napi::Object exports);
void initElementwise(Napi::Env env, Napi::Object exports);
void initShapes(Napi::Env env, Napi::Object exports);
void initMatMul(Napi::Env env, Napi::Object exports);
void initConv(Napi::Env env, Napi::Object exports);

}  // namespace hc
