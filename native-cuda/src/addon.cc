// Node-API entry point of the cuda addon. Everything is synchronous from JavaScript's side but
// queued on the GPU: a function returns once its work is on the stream; only downloads wait.
// Every CUDA, cuBLAS and cuDNN failure becomes a JS Error naming the call
// (NODE_ADDON_API_CPP_EXCEPTIONS_ALL turns the std::runtime_errors of cuda-check.h into them).
#include <cublas_v2.h>
#include <cudnn.h>

#include "context.h"
#include "napi-args.h"

namespace hc {
namespace {

// deviceCount(): { count, error? }. Never throws: the backend asks it to decide whether it can run.
Napi::Value DeviceCount(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  out.Set("count", status == cudaSuccess ? count : 0);
  if (status != cudaSuccess) out.Set("error", std::string(cudaGetErrorName(status)) + ": " + cudaGetErrorString(status));
  return out;
}

// init({ device, memoryLimit, tf32 }): creates the context (once) and describes the device.
Napi::Value InitDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = info[0].As<Napi::Object>();
  Options options;
  options.device = static_cast<int>(num(o.Get("device")));
  options.memoryLimit = static_cast<size_t>(num(o.Get("memoryLimit")));
  options.tf32 = flag(o.Get("tf32"));
  Context& c = initContext(options);
  cudaDeviceProp p;
  HC_CHECK(cudaGetDeviceProperties(&p, c.device()));
  int runtime = 0, driver = 0, cublas = 0;
  HC_CHECK(cudaRuntimeGetVersion(&runtime));
  HC_CHECK(cudaDriverGetVersion(&driver));
  HC_CHECK(cublasGetVersion(c.cublas(), &cublas));
  Napi::Object out = Napi::Object::New(env);
  out.Set("name", std::string(p.name));
  out.Set("computeCapability", std::to_string(p.major) + "." + std::to_string(p.minor));
  out.Set("multiprocessors", p.multiProcessorCount);
  out.Set("totalMemory", static_cast<double>(p.totalGlobalMem));
  out.Set("l2Bytes", p.l2CacheSize);
  out.Set("runtime", runtime);
  out.Set("driver", driver);
  out.Set("cublas", cublas);
  out.Set("cudnn", static_cast<double>(cudnnGetVersion()));
  out.Set("memoryLimit", static_cast<double>(c.allocator().stats().limit));
  return out;
}

Napi::Value SetTf32(const Napi::CallbackInfo& info) {
  context().setTf32(flag(info[0]));
  return info.Env().Undefined();
}

Napi::Value Synchronize(const Napi::CallbackInfo& info) {
  context().synchronize();
  return info.Env().Undefined();
}

Napi::Object Register(Napi::Env env, Napi::Object exports) {
  exports.Set("deviceCount", Napi::Function::New(env, DeviceCount));
  exports.Set("init", Napi::Function::New(env, InitDevice));
  exports.Set("setTf32", Napi::Function::New(env, SetTf32));
  exports.Set("synchronize", Napi::Function::New(env, Synchronize));
  initMemory(env, exports);
  initElementwise(env, exports);
  initShapes(env, exports);
  initMatMul(env, exports);
  initConv(env, exports);
  return exports;
}

}  // namespace
}  // namespace hc

static Napi::Object RegisterAddon(Napi::Env env, Napi::Object exports) { return hc::Register(env, exports); }

NODE_API_MODULE(hypertune_cuda, RegisterAddon)
