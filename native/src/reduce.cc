// Sums over the leading axes (bias gradients: [N*H*W, C] -> [C]) or the trailing axes
// ([rows, cols] -> [rows]), accumulated in double like tfjs' JS loop.
#include <omp.h>

#include <algorithm>

#include "common.h"
#include "leading-sums.h"

namespace hn {

HN_VECTOR_CLONES
void addRows(const float* x, double* acc, int64_t rows, int64_t inner) {
  for (int64_t r = 0; r < rows; r++) {
    const float* row = x + r * inner;
#pragma omp simd
    for (int64_t j = 0; j < inner; j++) acc[j] += row[j];
  }
}

namespace {

// sumLeading(x, out, outer, inner): out[j] = sum_i x[i * inner + j]
Napi::Value SumLeading(const Napi::CallbackInfo& info) {
  const float* x = floats(info[0]);
  float* out = floats(info[1]);
  const int64_t outer = num(info[2]), inner = num(info[3]);
  leadingSums(outer, inner, out, [&](double* acc, int64_t begin, int64_t end) { addRows(x + begin * inner, acc, end - begin, inner); });
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
