// Max and average pooling over NHWC (no dilation), forward and backward, with tfjs' cpu
// semantics: the max goes to the first largest element of a window; the average divides by
// the window's elements inside the input, and so does its gradient (tfjs' own divides by the
// full window: wrong next to padding, see src/training/kernels/avg-pool-grad.ts).
#include <algorithm>
#include <cmath>
#include <limits>

#include "common.h"

namespace hn {
namespace {

/** geometry: [n, ih, iw, c, oh, ow, fh, fw, sh, sw, pt, pl] */
struct Pool {
  int64_t n, ih, iw, c, oh, ow, fh, fw, sh, sw, pt, pl;
  explicit Pool(const std::vector<int64_t>& g) {
    if (g.size() != 12) throw std::invalid_argument("pool geometry needs 12 integers");
    n = g[0]; ih = g[1]; iw = g[2]; c = g[3]; oh = g[4]; ow = g[5];
    fh = g[6]; fw = g[7]; sh = g[8]; sw = g[9]; pt = g[10]; pl = g[11];
  }
  int64_t r0(int64_t y) const { return std::max<int64_t>(0, y * sh - pt); }
  int64_t r1(int64_t y) const { return std::min<int64_t>(ih, y * sh - pt + fh); }
  int64_t c0(int64_t x) const { return std::max<int64_t>(0, x * sw - pl); }
  int64_t c1(int64_t x) const { return std::min<int64_t>(iw, x * sw - pl + fw); }
  /** Input pixels inside output (y, x)'s window: what an average divides by. */
  int64_t inside(int64_t y, int64_t x) const { return (r1(y) - r0(y)) * (c1(x) - c0(x)); }
  bool big() const { return n * oh * ow * c * fh * fw > (1 << 15); }
};

/** Calls visit(offset) for every input pixel of output (y, xo)'s window: its NHWC offset within a batch item. */
template <typename Visit>
void forWindow(const Pool& p, int64_t y, int64_t xo, Visit visit) {
  for (int64_t r = p.r0(y); r < p.r1(y); r++)
    for (int64_t q = p.c0(xo); q < p.c1(xo); q++) visit((r * p.iw + q) * p.c);
}

/** Index (within the batch item) of each window's first maximum, per channel; -1 if none. */
template <typename Visit>
void maxPositions(const Pool& p, const float* x, int64_t b, int64_t y, int64_t xo, Visit visit) {
  const float* xb = x + b * p.ih * p.iw * p.c;
  for (int64_t d = 0; d < p.c; d++) {
    float best = -std::numeric_limits<float>::infinity();
    int64_t at = -1;
    for (int64_t r = p.r0(y); r < p.r1(y); r++) {
      for (int64_t q = p.c0(xo); q < p.c1(xo); q++) {
        const int64_t i = (r * p.iw + q) * p.c + d;
        if (xb[i] > best) { best = xb[i]; at = i; }
      }
      if (std::isnan(best)) break;
    }
    visit(d, best, at);
  }
}

/** Both gradients' walk: per batch item (in parallel) dx zeroed, then body(dxb, g, b, y, xo) for every output position, g its dy. */
template <typename Body>
void gradientWalk(const Pool& p, const float* dy, float* dx, Body body) {
#pragma omp parallel for if (p.big())
  for (int64_t b = 0; b < p.n; b++) {
    float* dxb = dx + b * p.ih * p.iw * p.c;
    std::fill(dxb, dxb + p.ih * p.iw * p.c, 0.f);
    for (int64_t y = 0; y < p.oh; y++)
      for (int64_t xo = 0; xo < p.ow; xo++) body(dxb, dy + ((b * p.oh + y) * p.ow + xo) * p.c, b, y, xo);
  }
}

// maxPool(x, y, geometry)
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  const float* x = floats(info[0]);
  float* out = floats(info[1]);
  Pool p(ints(info[2]));
#pragma omp parallel for collapse(2) if (p.big())
  for (int64_t b = 0; b < p.n; b++)
    for (int64_t y = 0; y < p.oh; y++)
      for (int64_t xo = 0; xo < p.ow; xo++) {
        float* o = out + ((b * p.oh + y) * p.ow + xo) * p.c;
        maxPositions(p, x, b, y, xo, [&](int64_t d, float best, int64_t) { o[d] = best; });
      }
  return info.Env().Undefined();
}

// maxPoolGrad(dy, x, dx, geometry): dx is zeroed here.
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  const float* dy = floats(info[0]);
  const float* x = floats(info[1]);
  float* dx = floats(info[2]);
  Pool p(ints(info[3]));
  gradientWalk(p, dy, dx, [&](float* dxb, const float* g, int64_t b, int64_t y, int64_t xo) {
    maxPositions(p, x, b, y, xo, [&](int64_t d, float, int64_t at) { if (at >= 0) dxb[at] += g[d]; });
  });
  return info.Env().Undefined();
}

// avgPool(x, y, geometry)
Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  const float* x = floats(info[0]);
  float* out = floats(info[1]);
  Pool p(ints(info[2]));
#pragma omp parallel for collapse(2) if (p.big())
  for (int64_t b = 0; b < p.n; b++)
    for (int64_t y = 0; y < p.oh; y++) {
      std::vector<double> acc(p.c);
      for (int64_t xo = 0; xo < p.ow; xo++) {
        std::fill(acc.begin(), acc.end(), 0.0);
        const float* xb = x + b * p.ih * p.iw * p.c;
        forWindow(p, y, xo, [&](int64_t at) {
          for (int64_t d = 0; d < p.c; d++) acc[d] += xb[at + d];
        });
        const double count = static_cast<double>(p.inside(y, xo));
        float* o = out + ((b * p.oh + y) * p.ow + xo) * p.c;
        for (int64_t d = 0; d < p.c; d++) o[d] = static_cast<float>(acc[d] / count);
      }
    }
  return info.Env().Undefined();
}

// avgPoolGrad(dy, dx, geometry): dx is zeroed here. Each window's gradient is shared among the
// inputs it averaged (padding excluded, as in the forward pass and Keras), not the whole window as
// tfjs' own kernel does (see src/training/kernels/avg-pool-grad.ts).
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  const float* dy = floats(info[0]);
  float* dx = floats(info[1]);
  Pool p(ints(info[2]));
  gradientWalk(p, dy, dx, [&](float* dxb, const float* g, int64_t, int64_t y, int64_t xo) {
    const float scale = 1.f / static_cast<float>(p.inside(y, xo));
    forWindow(p, y, xo, [&](int64_t at) {
      for (int64_t d = 0; d < p.c; d++) dxb[at + d] += g[d] * scale;
    });
  });
  return info.Env().Undefined();
}

}  // namespace

void initPool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPool", Napi::Function::New(env, flushed<MaxPool>));
  exports.Set("maxPoolGrad", Napi::Function::New(env, flushed<MaxPoolGrad>));
  exports.Set("avgPool", Napi::Function::New(env, flushed<AvgPool>));
  exports.Set("avgPoolGrad", Napi::Function::New(env, flushed<AvgPoolGrad>));
}

}  // namespace hn
