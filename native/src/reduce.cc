// Sums over the leading axes (bias gradients: [N*H*W, C] -> [C]) or the trailing axes
// ([rows, cols] -> [rows]), accumulated in double like tfjs' JS loop.
#include <omp.h>

#include <algorithm>

#include "common.h"

namespace hn {
namespace {

// sumLeading(x, out, outer, inner): out[j] = sum_i x[i * inner + j]
Napi::Value SumLeading(const Napi::CallbackInfo& info) {
  const float* x = floats(info[0]);
  float* out = floats(info[1]);
  const int64_t outer = num(info[2]), inner = num(info[3]);
  const int threads = outer * inner > (1 << 15) ? omp_get_max_threads() : 1;
  std::vector<double> partial(static_cast<size_t>(threads) * inner, 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    double* acc = partial.data() + static_cast<size_t>(t) * inner;
    const int64_t begin = outer * t / nt, end = outer * (t + 1) / nt;
    for (int64_t i = begin; i < end; i++) {
      const float* row = x + i * inner;
#pragma omp simd
      for (int64_t j = 0; j < inner; j++) acc[j] += row[j];
    }
  }
  for (int64_t j = 0; j < inner; j++) {
    double s = 0;
    for (int t = 0; t < threads; t++) s += partial[static_cast<size_t>(t) * inner + j];
    out[j] = static_cast<float>(s);
  }
  return info.Env().Undefined();
}

// sumTrailing(x, out, outer, inner): out[i] = sum_j x[i * inner + j]
Napi::Value SumTrailing(const Napi::CallbackInfo& info) {
  const float* x = floats(info[0]);
  float* out = floats(info[1]);
  const int64_t outer = num(info[2]), inner = num(info[3]);
#pragma omp parallel for if (outer * inner > (1 << 15))
  for (int64_t i = 0; i < outer; i++) {
    const float* row = x + i * inner;
    double s = 0;
    for (int64_t j = 0; j < inner; j++) s += row[j];
    out[i] = static_cast<float>(s);
  }
  return info.Env().Undefined();
}

}  // namespace

void initReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("sumLeading", Napi::Function::New(env, flushed<SumLeading>));
  exports.Set("sumTrailing", Napi::Function::New(env, flushed<SumTrailing>));
}

}  // namespace hn
