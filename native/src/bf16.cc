// bf16 support: whether this CPU runs bf16 natively (probed once through oneDNN), and the float32
// -> bf16 conversion of a tensor's values that the mixed-precision kernels take as input.
#include <cstring>

#include "common.h"

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

namespace {

/** Round to nearest even, as oneDNN's reorders and PyTorch's .to(torch.bfloat16) do; NaN stays a (quiet) NaN. */
inline uint16_t toBf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  const uint32_t rounded = (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;
  const bool nan = (u & 0x7FFFFFFFu) > 0x7F800000u;
  return static_cast<uint16_t>(nan ? ((u >> 16) | 0x40u) : rounded);
}

// In vector clones; integer arithmetic only, so every build gives the same bits.
HN_VECTOR_CLONES
void convert(const float* x, uint16_t* out, int64_t begin, int64_t end) {
#pragma omp simd
  for (int64_t i = begin; i < end; i++) out[i] = toBf16(x[i]);
}

// toBf16(x: Float32Array, out: Uint16Array): out[i] = bf16(x[i]).
Napi::Value ToBf16(const Napi::CallbackInfo& info) {
  const float* x = floats(info[0]);
  uint16_t* out = bf16s(info[1]);
  const int64_t n = static_cast<int64_t>(length(info[0]));
  if (bf16Length(info[1]) < static_cast<size_t>(n)) throw std::invalid_argument("toBf16: output shorter than input");
  inChunks(n, 1 << 15, [&](int64_t begin, int64_t end) { convert(x, out, begin, end); });
  return info.Env().Undefined();
}

// fromBf16(x: Uint16Array, out: Float32Array): exact (tests and debugging).
Napi::Value FromBf16(const Napi::CallbackInfo& info) {
  const uint16_t* x = bf16s(info[0]);
  float* out = floats(info[1]);
  const size_t n = bf16Length(info[0]);
  for (size_t i = 0; i < n; i++) {
    const uint32_t u = static_cast<uint32_t>(x[i]) << 16;
    std::memcpy(out + i, &u, sizeof u);
  }
  return info.Env().Undefined();
}

}  // namespace

void initBf16(Napi::Env env, Napi::Object exports) {
  exports.Set("toBf16", Napi::Function::New(env, ToBf16));
  exports.Set("fromBf16", Napi::Function::New(env, FromBf16));
}

}  // namespace hn
