// Elementwise float32 kernels: binary ops on equal shapes, against a scalar, against a row
// repeated along the leading axes (a bias), or against one value per row (a [n, 1] column, as a
// loss's per-example sums broadcast over its classes); unary ops. Results match tfjs' cpu kernels
// (single IEEE operations round the same in float as JS's double-then-float32).
#include <cmath>

#include "common.h"

namespace hn {
namespace {

constexpr int64_t kParallelMin = 1 << 15;

// kReluGrad is no tfjs kernel: ReLU's gradient from its output, dy * step(y) in one pass (the
// fused conv layer's backward, conv-relu.ts), where tfjs runs Step and Multiply.
enum Binary { kAdd, kSub, kMul, kDiv, kMax, kMin, kSquaredDifference, kReluGrad };
enum Unary { kSqrt, kSquare, kRelu, kStep, kNeg, kExp, kLog, kSigmoid, kTanh, kRsqrt, kAbs, kReciprocal };
// How b (or a) lines up with the output: equal shapes, a scalar, a repeated row, or one value per row.
enum Layout { kSame, kScalarA, kScalarB, kRowA, kRowB, kColA, kColB };

template <int Op>
inline float apply(float a, float b) {
  if constexpr (Op == kAdd) return a + b;
  if constexpr (Op == kSub) return a - b;
  if constexpr (Op == kMul) return a * b;
  if constexpr (Op == kDiv) return a / b;
  if constexpr (Op == kMax) return std::isnan(a) || std::isnan(b) ? NAN : (a > b ? a : b);
  if constexpr (Op == kMin) return std::isnan(a) || std::isnan(b) ? NAN : (a < b ? a : b);
  if constexpr (Op == kSquaredDifference) return (a - b) * (a - b);
  return 0.f;
}

// Each output row (`row` long) from the same row of `full` and, from `other`, either a row repeated
// for every output row (a bias) or one value per row (a column); kFullFirst: `full` is tfjs' a.
template <int Op, bool kFullFirst, bool kColumn>
void byRows(const float* full, const float* other, float* out, int64_t n, int64_t row) {
  const int64_t rows = n / row;
#pragma omp parallel for if (n > kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    const float* f = full + r * row;
    float* o = out + r * row;
#pragma omp simd
    for (int64_t j = 0; j < row; j++) {
      const float v = kColumn ? other[r] : other[j];
      o[j] = kFullFirst ? apply<Op>(f[j], v) : apply<Op>(v, f[j]);
    }
  }
}

template <int Op>
void binary(const float* a, const float* b, float* out, int64_t n, int64_t row, Layout layout) {
  switch (layout) {
    case kSame:
#pragma omp parallel for simd if (n > kParallelMin)
      for (int64_t i = 0; i < n; i++) out[i] = apply<Op>(a[i], b[i]);
      break;
    case kScalarA: {
      const float s = a[0];
#pragma omp parallel for simd if (n > kParallelMin)
      for (int64_t i = 0; i < n; i++) out[i] = apply<Op>(s, b[i]);
      break;
    }
    case kScalarB: {
      const float s = b[0];
#pragma omp parallel for simd if (n > kParallelMin)
      for (int64_t i = 0; i < n; i++) out[i] = apply<Op>(a[i], s);
      break;
    }
    // The operand with the output's shape row by row, against a repeated row or one value per row.
    case kRowB: byRows<Op, true, false>(a, b, out, n, row); break;
    case kRowA: byRows<Op, false, false>(b, a, out, n, row); break;
    case kColB: byRows<Op, true, true>(a, b, out, n, row); break;
    case kColA: byRows<Op, false, true>(b, a, out, n, row); break;
  }
}

template <int Op>
inline float apply1(float x, float alpha) {
  if constexpr (Op == kSqrt) return std::sqrt(x);
  if constexpr (Op == kSquare) return x * x;
  if constexpr (Op == kRelu) return x < 0.f ? 0.f : x;
  if constexpr (Op == kStep) return std::isnan(x) ? NAN : (x > 0.f ? 1.f : alpha);
  if constexpr (Op == kNeg) return -x;
  if constexpr (Op == kExp) return std::exp(x);
  if constexpr (Op == kLog) return std::log(x);
  if constexpr (Op == kSigmoid) return 1.f / (1.f + std::exp(-x));
  if constexpr (Op == kTanh) return std::tanh(x);
  if constexpr (Op == kRsqrt) return 1.f / std::sqrt(x);
  if constexpr (Op == kAbs) return std::fabs(x);
  if constexpr (Op == kReciprocal) return 1.f / x;
  return 0.f;
}

template <int Op>
void unary(const float* x, float* out, int64_t n, float alpha) {
#pragma omp parallel for simd if (n > kParallelMin)
  for (int64_t i = 0; i < n; i++) out[i] = apply1<Op>(x[i], alpha);
}

// dy * step(y) as tfjs' Step and Multiply compute it (a NaN y gives NaN), in chunks over the
// threads, each a vector clone (reluGradSpan). Under `omp parallel for simd` in this baseline
// x86-64 build gcc left the loop scalar, branching on each value's sign, which a ReLU's outputs
// leave hard to predict: 11-15 % of a bf16 epoch's profile on a 2-core Xeon (bench/RESULTS.md).
void reluGrad(const float* dy, const float* y, float* out, int64_t n) {
  inChunks(n, kParallelMin / 2, [&](int64_t begin, int64_t end) { reluGradSpan(dy + begin, y + begin, out + begin, end - begin); });
}

// binary(op, a, b, out, layout, row)
Napi::Value BinaryOp(const Napi::CallbackInfo& info) {
  const int op = static_cast<int>(num(info[0]));
  const float* a = floats(info[1]);
  const float* b = floats(info[2]);
  float* out = floats(info[3]);
  const auto layout = static_cast<Layout>(num(info[4]));
  const int64_t row = num(info[5]);
  const int64_t n = static_cast<int64_t>(length(info[3]));
  switch (op) {
    case kAdd: binary<kAdd>(a, b, out, n, row, layout); break;
    case kSub: binary<kSub>(a, b, out, n, row, layout); break;
    case kMul: binary<kMul>(a, b, out, n, row, layout); break;
    case kDiv: binary<kDiv>(a, b, out, n, row, layout); break;
    case kMax: binary<kMax>(a, b, out, n, row, layout); break;
    case kMin: binary<kMin>(a, b, out, n, row, layout); break;
    case kSquaredDifference: binary<kSquaredDifference>(a, b, out, n, row, layout); break;
    case kReluGrad:
      if (layout != kSame) throw std::invalid_argument("the ReLU gradient takes equal shapes");
      reluGrad(a, b, out, n);
      break;
    default: throw std::invalid_argument("unknown binary op " + std::to_string(op));
  }
  return info.Env().Undefined();
}

// unary(op, x, out, alpha)
Napi::Value UnaryOp(const Napi::CallbackInfo& info) {
  const int op = static_cast<int>(num(info[0]));
  const float* x = floats(info[1]);
  float* out = floats(info[2]);
  const float alpha = info[3].As<Napi::Number>().FloatValue();
  const int64_t n = static_cast<int64_t>(length(info[2]));
  switch (op) {
    case kSqrt: unary<kSqrt>(x, out, n, alpha); break;
    case kSquare: unary<kSquare>(x, out, n, alpha); break;
    case kRelu: unary<kRelu>(x, out, n, alpha); break;
    case kStep: unary<kStep>(x, out, n, alpha); break;
    case kNeg: unary<kNeg>(x, out, n, alpha); break;
    case kExp: unary<kExp>(x, out, n, alpha); break;
    case kLog: unary<kLog>(x, out, n, alpha); break;
    case kSigmoid: unary<kSigmoid>(x, out, n, alpha); break;
    case kTanh: unary<kTanh>(x, out, n, alpha); break;
    case kRsqrt: unary<kRsqrt>(x, out, n, alpha); break;
    case kAbs: unary<kAbs>(x, out, n, alpha); break;
    case kReciprocal: unary<kReciprocal>(x, out, n, alpha); break;
    default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
  }
  return info.Env().Undefined();
}

}  // namespace

HN_VECTOR_CLONES
void reluGradSpan(const float* dy, const float* y, float* out, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; i++) out[i] = reluGradValue(dy[i], y[i]);
}

void initEltwise(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, flushed<BinaryOp>));
  exports.Set("unary", Napi::Function::New(env, flushed<UnaryOp>));
}

}  // namespace hn
