// Device memory for JavaScript: alloc/free through the caching allocator, the allocator's
// figures, host<->device copies from and into typed arrays, and device-side copies.
#include "context.h"
#include "napi-args.h"

namespace hc {
namespace {

Napi::Value Alloc(const Napi::CallbackInfo& info) {
  return fromPtr(info.Env(), context().allocator().alloc(static_cast<size_t>(num(info[0]))));
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  context().allocator().free(ptr(info[0]));
  return info.Env().Undefined();
}

// release(): cached blocks back to the device (another trial process on the card may need them).
Napi::Value Release(const Napi::CallbackInfo& info) {
  context().synchronize();
  context().allocator().release();
  return info.Env().Undefined();
}

Napi::Value Memory(const Napi::CallbackInfo& info) {
  const AllocatorStats& s = context().allocator().stats();
  size_t freeBytes = 0, totalBytes = 0;
  HC_CHECK(cudaMemGetInfo(&freeBytes, &totalBytes));
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("inUse", static_cast<double>(s.inUse));
  out.Set("cached", static_cast<double>(s.cached));
  out.Set("peakInUse", static_cast<double>(s.peakInUse));
  out.Set("limit", static_cast<double>(s.limit));
  out.Set("mallocs", static_cast<double>(s.mallocs));
  out.Set("blocksInUse", static_cast<double>(s.blocksInUse));
  out.Set("deviceFree", static_cast<double>(freeBytes));
  out.Set("deviceTotal", static_cast<double>(totalBytes));
  return out;
}

Napi::Value SetMemoryLimit(const Napi::CallbackInfo& info) {
  context().allocator().setLimit(static_cast<size_t>(num(info[0])));
  return info.Env().Undefined();
}

Napi::Value ResetPeak(const Napi::CallbackInfo& info) {
  context().allocator().resetPeak();
  return info.Env().Undefined();
}

// upload(devicePtr, typedArray): queued; the array may change as soon as this returns.
Napi::Value Upload(const Napi::CallbackInfo& info) {
  size_t bytes = 0;
  const uint8_t* src = bytesOf(info[1], &bytes);
  context().upload(ptr(info[0]), src, bytes);
  return info.Env().Undefined();
}

// download(devicePtr, typedArray): waits for every queued kernel, then fills the array.
Napi::Value Download(const Napi::CallbackInfo& info) {
  size_t bytes = 0;
  uint8_t* dst = bytesOf(info[1], &bytes);
  context().download(dst, ptr(info[0]), bytes);
  return info.Env().Undefined();
}

// memset(devicePtr, byte, bytes)
Napi::Value Memset(const Napi::CallbackInfo& info) {
  HC_CHECK(cudaMemsetAsync(ptr(info[0]), static_cast<int>(num(info[1])), static_cast<size_t>(num(info[2])), context().stream()));
  return info.Env().Undefined();
}

// copy(dst, src, bytes): device to device, queued.
Napi::Value Copy(const Napi::CallbackInfo& info) {
  const size_t bytes = static_cast<size_t>(num(info[2]));
  if (bytes > 0) HC_CHECK(cudaMemcpyAsync(ptr(info[0]), ptr(info[1]), bytes, cudaMemcpyDeviceToDevice, context().stream()));
  return info.Env().Undefined();
}

// copy2d(dst, dstPitch, src, srcPitch, widthBytes, rows): one input's block of a Concat.
Napi::Value Copy2d(const Napi::CallbackInfo& info) {
  const size_t width = static_cast<size_t>(num(info[4])), rows = static_cast<size_t>(num(info[5]));
  if (width == 0 || rows == 0) return info.Env().Undefined();
  HC_CHECK(cudaMemcpy2DAsync(ptr(info[0]), static_cast<size_t>(num(info[1])), ptr(info[2]), static_cast<size_t>(num(info[3])), width, rows,
                             cudaMemcpyDeviceToDevice, context().stream()));
  return info.Env().Undefined();
}

}  // namespace

void initMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("alloc", Napi::Function::New(env, Alloc));
  exports.Set("free", Napi::Function::New(env, Free));
  exports.Set("release", Napi::Function::New(env, Release));
  exports.Set("memory", Napi::Function::New(env, Memory));
  exports.Set("setMemoryLimit", Napi::Function::New(env, SetMemoryLimit));
  exports.Set("resetPeak", Napi::Function::New(env, ResetPeak));
  exports.Set("upload", Napi::Function::New(env, Upload));
  exports.Set("download", Napi::Function::New(env, Download));
  exports.Set("memset", Napi::Function::New(env, Memset));
  exports.Set("copy", Napi::Function::New(env, Copy));
  exports.Set("copy2d", Napi::Function::New(env, Copy2d));
}

}  // namespace hc
