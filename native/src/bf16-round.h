// float32 <-> bf16 bits, shared by the kernels that write bf16 copies (bf16.cc, adam.cc).
#pragma once
#include <cstdint>
#include <cstring>

namespace hn {

/** Round to nearest even, as oneDNN's reorders and PyTorch's .to(torch.bfloat16) do; NaN stays a (quiet) NaN. */
inline uint16_t toBf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  const uint32_t rounded = (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;
  const bool nan = (u & 0x7FFFFFFFu) > 0x7F800000u;
  return static_cast<uint16_t>(nan ? ((u >> 16) | 0x40u) : rounded);
}

inline float fromBf16(uint16_t h) {
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

/** out[i] = toBf16(x[i]) over [begin, end), vectorized (bf16.cc). */
void toBf16Range(const float* x, uint16_t* out, int64_t begin, int64_t end);

}  // namespace hn
