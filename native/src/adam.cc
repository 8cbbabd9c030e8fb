// One fused pass of tfjs' Adam update, performing the same float32 operations in the same order
// as its op-by-op version (so results are identical), reading each array once:
//   m' = m*b1 + g*(1-b1);  v' = v*b2 + g^2*(1-b2)
//   p' = (m'/(1-b1^t)) / (sqrt(v'/(1-b2^t)) + eps) * -lr + p
// Outputs may alias the inputs (in-place update). With pBf16, p' is also written rounded to bf16:
// the copy a bf16 product reads next step (native/adam.ts), without a conversion pass of its own.
#include <cmath>

#include "bf16-round.h"
#include "common.h"

namespace hn {
namespace {

// The update over [begin, end), in vector clones: with two divisions and a square root per weight,
// the baseline's scalar build was compute-bound (4-5 ms for the reference model's 1.3M-weight
// kernel on a Zen 4, 0.7-1.0 ms with AVX-512). Vector division and square root round exactly as
// scalar ones and -ffp-contract=off keeps every multiply and add separate, so each build gives the
// same bits.
HN_VECTOR_CLONES
void update(const float* p, const float* m, const float* v, const float* g, float* pOut, float* mOut, float* vOut,
            const float* k, int64_t begin, int64_t end) {
  const float b1 = k[0], c1 = k[1], b2 = k[2], c2 = k[3], d1 = k[4], d2 = k[5], eps = k[6], lr = k[7];
#pragma omp simd
  for (int64_t i = begin; i < end; i++) {
    const float gi = g[i];
    const float mi = m[i] * b1 + gi * c1;
    const float vi = v[i] * b2 + (gi * gi) * c2;
    const float mh = mi / d1;
    const float vh = vi / d2;
    const float step = (mh / (std::sqrt(vh) + eps)) * lr;
    pOut[i] = step + p[i];
    mOut[i] = mi;
    vOut[i] = vi;
  }
}

// adam(p, m, v, g, pOut, mOut, vOut, [beta1, 1-beta1, beta2, 1-beta2, 1-accBeta1, 1-accBeta2, eps, -lr], pBf16?)
Napi::Value Adam(const Napi::CallbackInfo& info) {
  const float* p = floats(info[0]);
  const float* m = floats(info[1]);
  const float* v = floats(info[2]);
  const float* g = floats(info[3]);
  float* pOut = floats(info[4]);
  float* mOut = floats(info[5]);
  float* vOut = floats(info[6]);
  Napi::Array s = info[7].As<Napi::Array>();
  float k[8];
  for (uint32_t i = 0; i < 8; i++) k[i] = s.Get(i).As<Napi::Number>().FloatValue();
  const int64_t n = static_cast<int64_t>(length(info[0]));
  uint16_t* pBf16 = info.Length() > 8 && !info[8].IsNull() && !info[8].IsUndefined() ? bf16s(info[8]) : nullptr;
  if (pBf16 && bf16Length(info[8]) != static_cast<size_t>(n)) throw Napi::RangeError::New(info.Env(), "adam: the bf16 copy must hold p's values");
  inChunks(n, 1 << 14, [&](int64_t begin, int64_t end) {
    update(p, m, v, g, pOut, mOut, vOut, k, begin, end);
    if (pBf16) toBf16Range(pOut, pBf16, begin, end);  // the chunk still in cache
  });
  return info.Env().Undefined();
}

}  // namespace

void initAdam(Napi::Env env, Napi::Object exports) {
  exports.Set("adam", Napi::Function::New(env, flushed<Adam>));
}

}  // namespace hn
