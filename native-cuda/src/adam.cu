// One fused Adam step over a variable, the same float32 operations in the same order as tfjs'
// op-by-op update (and native/src/adam.cc), so results are bit-identical to it:
//   m' = m*b1 + g*(1-b1);  v' = v*b2 + g^2*(1-b2)
//   p' = (m'/(1-b1^t)) / (sqrt(v'/(1-b2^t)) + eps) * -lr + p
// (eps added after the square root, as tfjs does; PyTorch places it the same way.) The _rn
// intrinsics stop nvcc fusing a*b+c into one FMA, which would round once instead of twice and
// drift from tfjs. k = [b1, 1-b1, b2, 1-b2, 1-b1^t, 1-b2^t, eps, -lr]. Outputs may alias inputs.
#include "cuda-check.h"
#include "kernels.h"
#include "launch.cuh"

namespace hc {
namespace {

struct AdamScalars { float k[8]; };

__global__ void adamKernel(const float* p, const float* m, const float* v, const float* g, float* pOut, float* mOut, float* vOut,
                           int64_t n, AdamScalars s) {
  HC_GRID_STRIDE(i, n) {
    const float gi = g[i];
    const float mi = __fadd_rn(__fmul_rn(m[i], s.k[0]), __fmul_rn(gi, s.k[1]));
    const float vi = __fadd_rn(__fmul_rn(v[i], s.k[2]), __fmul_rn(__fmul_rn(gi, gi), s.k[3]));
    const float mh = __fdiv_rn(mi, s.k[4]);
    const float vh = __fdiv_rn(vi, s.k[5]);
    const float step = __fmul_rn(__fdiv_rn(mh, __fadd_rn(__fsqrt_rn(vh), s.k[6])), s.k[7]);
    pOut[i] = __fadd_rn(step, p[i]);
    mOut[i] = mi;
    vOut[i] = vi;
  }
}

}  // namespace

void adam(const float* p, const float* m, const float* v, const float* g, float* pOut, float* mOut, float* vOut,
          int64_t n, const float k[8], cudaStream_t s) {
  if (n <= 0) return;
  AdamScalars scalars;
  for (int i = 0; i < 8; i++) scalars.k[i] = k[i];
  adamKernel<<<blocksFor(n), THREADS, 0, s>>>(p, m, v, g, pOut, mOut, vOut, n, scalars);
  checkLaunch("adam kernel", s);
}

}  // namespace hc
