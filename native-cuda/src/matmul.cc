// Batched matrix products on cuBLAS (tfjs' BatchMatMul and _FusedMatMul; the epilogue is
// bias-activation.cu). tfjs' matrices are row-major and cuBLAS's column-major: a row-major M is a
// column-major M^T, so C = op(A)·op(B) is computed as C^T = op(B)^T·op(A)^T, i.e. cuBLAS gets B
// first, with the same transpose flags, and writes C row-major without any copy.
// TF32 tensor cores unless strict fp32 is set (context.cc sets cuBLAS's math mode).
#include "context.h"
#include "napi-args.h"

namespace hc {
namespace {

// matMul(a, b, c, batch, m, n, k, transposeA, transposeB, strideA, strideB)
// a: [batch?, m, k] (or [k, m] transposed), b: [batch?, k, n] (or [n, k]), c: [batch, m, n].
// strideA/strideB: elements between consecutive matrices, 0 when one matrix serves every batch.
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  const float* a = ptrOf<float>(info[0]);
  const float* b = ptrOf<float>(info[1]);
  float* c = ptrOf<float>(info[2]);
  const int64_t batch = num(info[3]), m = num(info[4]), n = num(info[5]), k = num(info[6]);
  const bool ta = flag(info[7]), tb = flag(info[8]);
  const int64_t strideA = num(info[9]), strideB = num(info[10]);
  if (batch <= 0 || m <= 0 || n <= 0) return info.Env().Undefined();
  Context& ctx = context();
  if (k == 0) {  // an empty sum: zeros (cuBLAS would leave C untouched)
    HC_CHECK(cudaMemsetAsync(c, 0, static_cast<size_t>(batch * m * n) * sizeof(float), ctx.stream()));
    return info.Env().Undefined();
  }
  const int64_t limit = 0x7fffffff;
  if (m > limit || n > limit || k > limit || batch > limit) throw std::runtime_error("cuda addon: matMul dimensions exceed cuBLAS's int range");
  const float one = 1.0f, zero = 0.0f;
  const int lda = static_cast<int>(ta ? m : k);  // leading dimension of A's row-major storage
  const int ldb = static_cast<int>(tb ? k : n);
  const cublasOperation_t opA = ta ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t opB = tb ? CUBLAS_OP_T : CUBLAS_OP_N;
  if (batch == 1) {
    HC_CHECK(cublasSgemm(ctx.cublas(), opB, opA, static_cast<int>(n), static_cast<int>(m), static_cast<int>(k), &one, b, ldb, a, lda, &zero, c,
                         static_cast<int>(n)));
  } else {
    HC_CHECK(cublasSgemmStridedBatched(ctx.cublas(), opB, opA, static_cast<int>(n), static_cast<int>(m), static_cast<int>(k), &one, b, ldb,
                                       strideB, a, lda, strideA, &zero, c, static_cast<int>(n), m * n, static_cast<int>(batch)));
  }
  return info.Env().Undefined();
}

}  // namespace

void initMatMul(Napi::Env env, Napi::Object exports) {
  exports.Set("matMul", Napi::Function::New(env, MatMul));
}

}  // namespace hc
