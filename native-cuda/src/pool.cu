// NHWC max and average pooling and their gradients, computed as tfjs' cpu kernels compute them:
// windows clipped to the input (so 'same' padding is never read and an average divides by the
// elements it covered, the count tfjs uses), the max at the first position holding it. Padding may
// be asymmetric ('same' with an even window), which cuDNN's pooling cannot express.
// The gradients gather rather than scatter: each input element sums over the windows that
// contain it, in a fixed order, so results repeat bit for bit (no atomics).
#include "cuda-check.h"
#include "kernels.h"
#include "launch.cuh"

namespace hc {
namespace {

/** The input rows (or columns) window `o` covers, clipped to [0, size). */
struct Span { int lo, hi; };
__device__ __forceinline__ Span span(int o, int stride, int pad, int k, int size) {
  const int corner = o * stride - pad;
  return {max(0, corner), min(size, corner + k)};
}

/** Element offset of the first maximum in window (oy, ox) of image b, channel ch (-1: none). */
__device__ __forceinline__ int64_t argmaxOf(const float* x, const PoolGeometry& g, int b, int oy, int ox, int ch) {
  const Span r = span(oy, g.sh, g.pt, g.kh, g.ih), c = span(ox, g.sw, g.pl, g.kw, g.iw);
  float best = -INFINITY;
  int64_t at = -1;
  for (int y = r.lo; y < r.hi; y++) {
    for (int xx = c.lo; xx < c.hi; xx++) {
      const int64_t off = ((static_cast<int64_t>(b) * g.ih + y) * g.iw + xx) * g.c + ch;
      if (x[off] > best) { best = x[off]; at = off; } // strictly greater: the first maximum, as tfjs
    }
  }
  return at;
}

__global__ void poolKernel(const float* x, float* y, PoolGeometry g, bool isMax, int64_t n) {
  HC_GRID_STRIDE(i, n) {
    const int ch = static_cast<int>(i % g.c);
    int64_t rest = i / g.c;
    const int ox = static_cast<int>(rest % g.ow); rest /= g.ow;
    const int oy = static_cast<int>(rest % g.oh);
    const int b = static_cast<int>(rest / g.oh);
    const Span r = span(oy, g.sh, g.pt, g.kh, g.ih), c = span(ox, g.sw, g.pl, g.kw, g.iw);
    float acc = isMax ? -INFINITY : 0.0f;
    int count = 0;
    for (int yy = r.lo; yy < r.hi; yy++) {
      for (int xx = c.lo; xx < c.hi; xx++) {
        const float v = x[((static_cast<int64_t>(b) * g.ih + yy) * g.iw + xx) * g.c + ch];
        if (isMax) acc = v > acc ? v : acc;
        else acc += v;
        count++;
      }
    }
    y[i] = isMax ? acc : acc / static_cast<float>(count);
  }
}

/** Output windows along one axis that contain input coordinate p: [first, last]. */
__device__ __forceinline__ Span windowsOf(int p, int stride, int pad, int k, int outSize) {
  // o * stride - pad <= p < o * stride - pad + k, so o >= ceil((p + pad - k + 1) / stride), o <= (p + pad) / stride.
  const int q = p + pad - k + 1;
  const int first = q <= 0 ? 0 : (q + stride - 1) / stride;
  const int last = min(outSize - 1, (p + pad) / stride);
  return {first, last};
}

__global__ void poolGradKernel(const float* dy, const float* x, float* dx, PoolGeometry g, bool isMax, int64_t n) {
  HC_GRID_STRIDE(i, n) {
    const int ch = static_cast<int>(i % g.c);
    int64_t rest = i / g.c;
    const int px = static_cast<int>(rest % g.iw); rest /= g.iw;
    const int py = static_cast<int>(rest % g.ih);
    const int b = static_cast<int>(rest / g.ih);
    const Span wy = windowsOf(py, g.sh, g.pt, g.kh, g.oh), wx = windowsOf(px, g.sw, g.pl, g.kw, g.ow);
    float sum = 0.0f;
    for (int oy = wy.lo; oy <= wy.hi; oy++) {
      const Span r = span(oy, g.sh, g.pt, g.kh, g.ih);
      if (py < r.lo || py >= r.hi) continue;
      for (int ox = wx.lo; ox <= wx.hi; ox++) {
        const Span c = span(ox, g.sw, g.pl, g.kw, g.iw);
        if (px < c.lo || px >= c.hi) continue;
        const float d = dy[((static_cast<int64_t>(b) * g.oh + oy) * g.ow + ox) * g.c + ch];
        if (isMax) {
          if (argmaxOf(x, g, b, oy, ox, ch) == i) sum += d;
        } else {
          sum += d / static_cast<float>((r.hi - r.lo) * (c.hi - c.lo));
        }
      }
    }
    dx[i] = sum;
  }
}

int64_t outputs(const PoolGeometry& g) { return static_cast<int64_t>(g.n) * g.oh * g.ow * g.c; }
int64_t inputs(const PoolGeometry& g) { return static_cast<int64_t>(g.n) * g.ih * g.iw * g.c; }

}  // namespace

void maxPool(const float* x, float* y, const PoolGeometry& g, cudaStream_t s) {
  if (outputs(g) <= 0) return;
  poolKernel<<<blocksFor(outputs(g)), THREADS, 0, s>>>(x, y, g, true, outputs(g));
  checkLaunch("max-pool kernel", s);
}

void avgPool(const float* x, float* y, const PoolGeometry& g, cudaStream_t s) {
  if (outputs(g) <= 0) return;
  poolKernel<<<blocksFor(outputs(g)), THREADS, 0, s>>>(x, y, g, false, outputs(g));
  checkLaunch("avg-pool kernel", s);
}

void maxPoolGrad(const float* dy, const float* x, float* dx, const PoolGeometry& g, cudaStream_t s) {
  if (inputs(g) <= 0) return;
  poolGradKernel<<<blocksFor(inputs(g)), THREADS, 0, s>>>(dy, x, dx, g, true, inputs(g));
  checkLaunch("max-pool gradient kernel", s);
}

void avgPoolGrad(const float* dy, float* dx, const PoolGeometry& g, cudaStream_t s) {
  if (inputs(g) <= 0) return;
  poolGradKernel<<<blocksFor(inputs(g)), THREADS, 0, s>>>(dy, nullptr, dx, g, false, inputs(g));
  checkLaunch("avg-pool gradient kernel", s);
}

}  // namespace hc
