// tfjs' FusedBatchNorm (inference form; its gradient is composed of other kernels):
// y = (x - mean) * rsqrt(var + eps) * scale + offset. Like tfjs' cpu kernel, each of mean,
// variance, offset and scale is read cyclically along x (index i % its length): with shapes
// [channels] that is the per-channel broadcast of an NHWC tensor. A null offset is 0, scale 1.
#include "cuda-check.h"
#include "kernels.h"
#include "launch.cuh"

namespace hc {
namespace {

__global__ void batchNormKernel(const float* x, const float* mean, int64_t nMean, const float* var, int64_t nVar, const float* offset,
                                int64_t nOffset, const float* scale, int64_t nScale, float epsilon, float* y, int64_t n) {
  HC_GRID_STRIDE(i, n) {
    const float o = offset != nullptr ? offset[i % nOffset] : 0.0f;
    const float k = scale != nullptr ? scale[i % nScale] : 1.0f;
    y[i] = o + (x[i] - mean[i % nMean]) * k / sqrtf(var[i % nVar] + epsilon);
  }
}

}  // namespace

void batchNorm(const float* x, const float* mean, int64_t nMean, const float* var, int64_t nVar, const float* offset, int64_t nOffset,
               const float* scale, int64_t nScale, float epsilon, float* y, int64_t n, cudaStream_t s) {
  if (n <= 0) return;
  batchNormKernel<<<blocksFor(n), THREADS, 0, s>>>(x, mean, nMean, var, nVar, offset, nOffset, scale, nScale, epsilon, y, n);
  checkLaunch("batch-norm kernel", s);
}

}  // namespace hc
