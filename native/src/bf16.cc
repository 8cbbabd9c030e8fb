// bf16 support: whether this CPU runs bf16 natively (probed once through oneDNN), the float32
// -> bf16 conversion of a tensor's values that the mixed-precision kernels take as input, and a
// conv layer's ReLU gradient written straight as the bf16 its gradient convolutions read.
#include <algorithm>
#include <vector>

#include "bf16-round.h"
#include "common.h"
#include "leading-sums.h"

namespace hn {

bool bf16Supported() {
  // The effective ISA honours DNNL_MAX_CPU_ISA: a host capped below AVX512_BF16 would run bf16 on
  // oneDNN's reference kernels (orders of magnitude slower), so it counts as not supporting it.
  static const bool supported = [] {
    const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
    const auto bf16 = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_bf16);
    return (isa & bf16) == bf16;  // ISA values are feature masks: AMX includes every bf16 bit
  }();
  return supported;
}

// In vector clones; integer arithmetic only, so every build gives the same bits.
HN_VECTOR_CLONES
void toBf16Range(const float* x, uint16_t* out, int64_t begin, int64_t end) {
#pragma omp simd
  for (int64_t i = begin; i < end; i++) out[i] = toBf16(x[i]);
}

namespace {

// toBf16(x: Float32Array, out: Uint16Array): out[i] = bf16(x[i]).
Napi::Value ToBf16(const Napi::CallbackInfo& info) {
  const float* x = floats(info[0]);
  uint16_t* out = bf16s(info[1]);
  const int64_t n = static_cast<int64_t>(length(info[0]));
  if (bf16Length(info[1]) < static_cast<size_t>(n)) throw std::invalid_argument("toBf16: output shorter than input");
  inChunks(n, 1 << 15, [&](int64_t begin, int64_t end) { toBf16Range(x, out, begin, end); });
  return info.Env().Undefined();
}

// ReLU's gradient (common.h's reluGradValue, as eltwise.cc's reluGrad), from float32 or bf16 y
// (bf16 y has float32 y's sign: both come from the same conv output).
void reluGradOf(const float* dy, const float* y, float* out, int64_t n) { reluGradSpan(dy, y, out, n); }

HN_VECTOR_CLONES
void reluGradOf(const float* dy, const uint16_t* y, float* out, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; i++) out[i] = reluGradValue(dy[i], fromBf16(y[i]));
}

// Rows [begin, end) of `inner` values, a cache-sized block at a time: dz into dz32 (or a scratch
// block that is then rounded into dz16), each column summed into acc when given.
template <typename Y>
void reluGradRows(const float* dy, const Y* y, float* dz32, uint16_t* dz16, double* acc, int64_t begin, int64_t end, int64_t inner) {
  const int64_t block = std::max<int64_t>(1, 8192 / inner);
  std::vector<float> scratch(dz16 ? static_cast<size_t>(block * inner) : 0);
  for (int64_t b = begin; b < end; b += block) {
    const int64_t rows = std::min(block, end - b), off = b * inner, n = rows * inner;
    float* out = dz16 ? scratch.data() : dz32 + off;
    reluGradOf(dy + off, y + off, out, n);
    if (acc) addRows(out, acc, rows, inner);
    if (dz16) toBf16Range(out, dz16 + off, 0, n);
  }
}

// The bias's gradient rides along, summed as sumLeading sums (leading-sums.h): its bits, without a
// second pass over dz.
template <typename Y>
void reluGradMixed(const float* dy, const Y* y, float* dz32, uint16_t* dz16, float* db, int64_t outer, int64_t inner) {
  if (db) leadingSums(outer, inner, db, [&](double* acc, int64_t b, int64_t e) { reluGradRows(dy, y, dz32, dz16, acc, b, e, inner); });
  else inChunks(outer, std::max<int64_t>(1, (1 << 15) / inner), [&](int64_t b, int64_t e) { reluGradRows(dy, y, dz32, dz16, nullptr, b, e, inner); });
}

bool isBf16(const Napi::Value& v) { return v.As<Napi::TypedArray>().TypedArrayType() == napi_uint16_array; }

template <typename Y>
void reluGradTo(const Napi::Value& dz, const float* dy, const Y* y, float* db, int64_t outer, int64_t inner) {
  if (isBf16(dz)) reluGradMixed(dy, y, nullptr, bf16s(dz), db, outer, inner);
  else reluGradMixed(dy, y, floats(dz), nullptr, db, outer, inner);
}

// reluGradMixed(dy: Float32Array, y: Float32Array | Uint16Array (bf16), dz: Float32Array |
// Uint16Array (bf16), db: Float32Array | null, inner): dz = dy * step(y) over rows of `inner`
// channels and, with db, db[j] = the sum of column j of dz (float32 values, before any rounding to
// bf16). A conv layer's ReLU gradient, its bf16 copy and its bias's gradient in one pass.
Napi::Value ReluGradMixed(const Napi::CallbackInfo& info) {
  const float* dy = floats(info[0]);
  const int64_t n = static_cast<int64_t>(length(info[0]));
  const int64_t inner = num(info[4]);
  const auto len = [](const Napi::Value& v) { return v.As<Napi::TypedArray>().ElementLength(); };
  // Napi errors, which node-addon-api hands to JS as exceptions.
  const auto fail = [&](const char* why) { return Napi::RangeError::New(info.Env(), std::string("reluGradMixed: ") + why); };
  if (inner <= 0 || n % inner != 0) throw fail("rows of `inner` values expected");
  if (len(info[1]) != static_cast<size_t>(n) || len(info[2]) < static_cast<size_t>(n)) throw fail("y and dz must hold dy's values");
  float* db = info[3].IsNull() ? nullptr : floats(info[3]);
  if (db && length(info[3]) != static_cast<size_t>(inner)) throw fail("db must hold `inner` values");
  if (isBf16(info[1])) reluGradTo(info[2], dy, bf16s(info[1]), db, n / inner, inner);
  else reluGradTo(info[2], dy, floats(info[1]), db, n / inner, inner);
  return info.Env().Undefined();
}

// fromBf16(x: Uint16Array, out: Float32Array): exact (tests and debugging).
Napi::Value FromBf16(const Napi::CallbackInfo& info) {
  const uint16_t* x = bf16s(info[0]);
  float* out = floats(info[1]);
  const size_t n = bf16Length(info[0]);
  for (size_t i = 0; i < n; i++) out[i] = fromBf16(x[i]);
  return info.Env().Undefined();
}

}  // namespace

void initBf16(Napi::Env env, Napi::Object exports) {
  exports.Set("toBf16", Napi::Function::New(env, ToBf16));
  exports.Set("fromBf16", Napi::Function::New(env, FromBf16));
  exports.Set("reluGradMixed", Napi::Function::New(env, flushed<ReluGradMixed>));
}

}  // namespace hn
