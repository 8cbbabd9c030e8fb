// One fused pass of tfjs' Adam update, performing the same float32 operations in the same order
// as its op-by-op version (so results are identical), reading each array once:
//   m' = m*b1 + g*(1-b1);  v' = v*b2 + g^2*(1-b2)
//   p' = (m'/(1-b1^t)) / (sqrt(v'/(1-b2^t)) + eps) * -lr + p
// Outputs may alias the inputs (in-place update).
#include <cmath>

#include "common.h"

namespace hn {
namespace {

// adam(p, m, v, g, pOut, mOut, vOut, [beta1, 1-beta1, beta2, 1-beta2, 1-accBeta1, 1-accBeta2, eps, -lr])
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
#pragma omp parallel for simd if (n > (1 << 15))
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] * k[0] + gi * k[1];
    const float vi = v[i] * k[2] + (gi * gi) * k[3];
    const float mh = mi / k[4];
    const float vh = vi / k[5];
    const float step = (mh / (std::sqrt(vh) + k[6])) * k[7];
    pOut[i] = step + p[i];
    mOut[i] = mi;
    vOut[i] = vi;
  }
  return info.Env().Undefined();
}

}  // namespace

void initAdam(Napi::Env env, Napi::Object exports) {
  exports.Set("adam", Napi::Function::New(env, flushed<Adam>));
}

}  // namespace hn
