// The float32 element functions, written to give what tfjs' cpu kernels give (its formulas, its
// NaN handling, its Softplus thresholds); shared by the unary kernel and the fused bias+activation.
#pragma once
#include <cuda_runtime.h>

#include "kernels.h"

namespace hc {

// tfjs' SELU constants (tfjs-core/src/ops/selu_util.ts).
constexpr float SELU_SCALE = 1.0507009873554804934193349852946f;
constexpr float SELU_SCALEALPHA = 1.7580993408473768599402175208123f;

__device__ __forceinline__ float applyUnary(int op, float x, float alpha, float beta) {
  switch (op) {
    case U_NEG: return -x;
    case U_ABS: return fabsf(x);
    case U_EXP: return expf(x);
    case U_LOG: return logf(x);
    case U_SQRT: return sqrtf(x);
    case U_RSQRT: return 1.0f / sqrtf(x);
    case U_SQUARE: return x * x;
    case U_RECIPROCAL: return 1.0f / x;
    case U_RELU: return x < 0.0f ? 0.0f : x;
    case U_RELU6: return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    case U_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case U_TANH: return tanhf(x);
    case U_ELU: return x >= 0.0f ? x : expf(x) - 1.0f;
    case U_SELU: return x >= 0.0f ? SELU_SCALE * x : SELU_SCALEALPHA * (expf(x) - 1.0f);
    case U_SOFTPLUS: {
      // tfjs: exp(x) for very negative x, x for large x, log(exp(x) + 1) between.
      const float threshold = logf(1.1920928955078125e-7f) + 2.0f;
      const float e = expf(x);
      if (x < threshold) return e;
      if (x > -threshold) return x;
      return logf(e + 1.0f);
    }
    case U_STEP: return x != x ? x : (x > 0.0f ? 1.0f : alpha);
    case U_FLOOR: return floorf(x);
    case U_CEIL: return ceilf(x);
    case U_ROUND: return rintf(x); // half to even, as tfjs' Round
    case U_SIGN: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f);
    case U_LEAKY_RELU: return x < 0.0f ? alpha * x : x;
    case U_CLIP: return x > beta ? beta : (x < alpha ? alpha : x);
    case U_LOG1P: return log1pf(x);
    case U_EXPM1: return expm1f(x);
    case U_SIN: return sinf(x);
    case U_COS: return cosf(x);
    case U_LOGICAL_NOT: return x == 0.0f ? 1.0f : 0.0f;
    default: return x; // U_IDENTITY
  }
}

}  // namespace hc
