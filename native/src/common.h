// Shared helpers: the oneDNN engine/stream, argument unpacking and a small primitive cache.
#pragma once
#include <napi.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <csignal>
#include <pthread.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace hn {

dnnl::engine& cpuEngine();
dnnl::stream& cpuStream();

/** Pointer to the first element of a Float32Array argument (byteOffset applied). */
inline float* floats(const Napi::Value& v) { return v.As<Napi::Float32Array>().Data(); }
inline size_t length(const Napi::Value& v) { return v.As<Napi::Float32Array>().ElementLength(); }
/** bf16 values travel as the raw bits in a Uint16Array (JS has no bf16 array). */
inline uint16_t* bf16s(const Napi::Value& v) { return v.As<Napi::Uint16Array>().Data(); }
inline size_t bf16Length(const Napi::Value& v) { return v.As<Napi::Uint16Array>().ElementLength(); }
inline int64_t num(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }
inline bool flag(const Napi::Value& v) { return v.As<Napi::Boolean>().Value(); }

/** A JS number array as int64s. */
inline std::vector<int64_t> ints(const Napi::Value& v) {
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out[i] = a.Get(i).As<Napi::Number>().Int64Value();
  return out;
}

/** Cache key from integers. */
inline std::string key(std::initializer_list<int64_t> parts) {
  std::string k;
  for (int64_t p : parts) k += std::to_string(p) + ',';
  return k;
}

/** Primitives keyed by shape/attributes; entries live for the process. */
template <typename T>
class Cache {
 public:
  template <typename Make>
  T& get(const std::string& k, Make make) {
    auto it = map_.find(k);
    if (it == map_.end()) it = map_.emplace(k, make()).first;
    return *it->second;
  }
  void clear() { map_.clear(); }
  size_t size() const { return map_.size(); }

 private:
  std::unordered_map<std::string, std::unique_ptr<T>> map_;
};

/**
 * Denormals flushed to zero (FTZ, and DAZ for inputs) on the calling thread while it lives, the
 * caller's mode restored after (V8's own arithmetic keeps IEEE denormals). TensorFlow runs its CPU
 * kernels this way, so Keras users train with this arithmetic; without it a trial whose gradients
 * decay into denormals (a diverged one, say) ran its convolutions two orders of magnitude slower
 * (a filter gradient: 1,176 ms against 6.7 with denormal output gradients, 12 ms flushed).
 */
class DenormalsFlushed {
 public:
#if defined(__SSE__)
  static constexpr unsigned kFtzDaz = 0x8040;
  DenormalsFlushed() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFtzDaz); }
  ~DenormalsFlushed() { _mm_setcsr(saved_); }
#endif
  DenormalsFlushed(const DenormalsFlushed&) = delete;
  DenormalsFlushed& operator=(const DenormalsFlushed&) = delete;

 private:
  unsigned saved_ = 0;
};

/** A kernel entry point run with denormals flushed on its calling thread (OpenMP's workers: SetThreads). */
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value flushed(const Napi::CallbackInfo& info) {
  DenormalsFlushed mode;
  return F(info);
}

/**
 * Blocks every signal on the calling thread while it lives. oneDNN's sgemm corrupts the heap when a
 * signal handler runs on its thread mid-call (seen with Node's SIGUSR2 handler and with V8's
 * profiler's SIGPROF: "corrupted size vs. prev_size" within seconds); a signal that arrives
 * meanwhile is delivered when the call returns.
 */
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &saved_);
  }
  ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  sigset_t saved_;
};

/**
 * A loop compiled for AVX-512, AVX2 and the baseline, the build picked once at load (GCC's
 * target_clones): the addon itself is built for baseline x86-64 so that it loads on any host.
 */
#define HN_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

/**
 * fn(begin, end) over [0, n) in chunks of `chunk`, spread over OpenMP's threads when there are more
 * than two: OpenMP outlines its parallel regions, so the vector clones hold the serial loop and
 * the parallelism stays out here.
 */
template <typename Fn>
void inChunks(int64_t n, int64_t chunk, Fn fn) {
#pragma omp parallel for schedule(static) if (n > 2 * chunk)
  for (int64_t c = 0; c < n; c += chunk) fn(c, c + chunk < n ? c + chunk : n);
}

/** ReLU's gradient from its output: dy where y > 0, 0 where y <= 0, NaN where y is NaN (as tfjs' Step). */
inline float reluGradValue(float dy, float y) { return dy * (y == y ? static_cast<float>(y > 0.f) : y); }

/** out[i] = reluGradValue(dy[i], y[i]) for i < n, on one thread, in the CPU's widest vectors (eltwise.cc). */
void reluGradSpan(const float* dy, const float* y, float* out, int64_t n);

/** Registered by each source file: adds its functions to the exports. */
void initConv(Napi::Env env, Napi::Object exports);
void initMatMul(Napi::Env env, Napi::Object exports);
void initEltwise(Napi::Env env, Napi::Object exports);
void initReduce(Napi::Env env, Napi::Object exports);
void initPool(Napi::Env env, Napi::Object exports);
void initAdam(Napi::Env env, Napi::Object exports);
void initBf16(Napi::Env env, Napi::Object exports);
void initConvBf16(Napi::Env env, Napi::Object exports);
void initMatMulBf16(Napi::Env env, Napi::Object exports);

/** Whether oneDNN runs bf16 convolutions and matmuls natively here (AVX512_BF16 or AMX). */
bool bf16Supported();

}  // namespace hn
