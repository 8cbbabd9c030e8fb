// Node-API entry point: every kernel is a synchronous function writing into a Float32Array
// the caller allocated. oneDNN errors surface as JS exceptions.
#include <omp.h>

#include "common.h"

namespace {

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  const dnnl_version_t* v = dnnl_version();
  out.Set("dnnl", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  out.Set("threads", omp_get_max_threads());
  out.Set("isa", static_cast<int>(dnnl::get_effective_cpu_isa()));
  out.Set("bf16", hn::bf16Supported());
  return out;
}

// setThreads(n): OpenMP threads for the calling thread's parallel regions, started here. Its
// workers run nothing but our kernels, so they get for good what the calling thread gets only
// inside a kernel, as it also runs JS: denormals flushed (hn::flushed) and every signal blocked
// (hn::SignalsBlocked; a signal handled on a thread inside oneDNN's sgemm corrupts the heap). A
// worker otherwise inherits the mask of wherever the first parallel region ran: blocked inside a
// GEMM, open anywhere else.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  omp_set_num_threads(static_cast<int>(hn::num(info[0])));
#pragma omp parallel
  if (omp_get_thread_num() != 0) {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
#if defined(__SSE__)
    _mm_setcsr(_mm_getcsr() | hn::DenormalsFlushed::kFtzDaz);
#endif
  }
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  hn::initConv(env, exports);
  hn::initMatMul(env, exports);
  hn::initEltwise(env, exports);
  hn::initReduce(env, exports);
  hn::initPool(env, exports);
  hn::initAdam(env, exports);
  hn::initBf16(env, exports);
  hn::initConvBf16(env, exports);
  hn::initMatMulBf16(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(hypertune_native, Init)
