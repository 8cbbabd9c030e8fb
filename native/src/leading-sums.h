// Column sums of row-major [outer, inner] values in double, in one fixed order (each thread's
// contiguous row range, rows in order, then the threads' partials in thread order), shared by
// reduce.cc's sumLeading and bf16.cc's fused ReLU gradient so that both give the same bits.
#pragma once
#include <omp.h>

#include <cstdint>
#include <vector>

namespace hn {

/** acc[j] += each row's x[j], row after row (reduce.cc, vectorized). */
void addRows(const float* x, double* acc, int64_t rows, int64_t inner);

/** out[j] = the sum of column j, where rows(acc, begin, end) adds rows [begin, end) into acc. */
template <typename Rows>
void leadingSums(int64_t outer, int64_t inner, float* out, Rows rows) {
  const int threads = outer * inner > (1 << 15) ? omp_get_max_threads() : 1;
  std::vector<double> partial(static_cast<size_t>(threads) * inner, 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    rows(partial.data() + static_cast<size_t>(t) * inner, outer * t / nt, outer * (t + 1) / nt);
  }
  for (int64_t j = 0; j < inner; j++) {
    double s = 0;
    for (int t = 0; t < threads; t++) s += partial[static_cast<size_t>(t) * inner + j];
    out[j] = static_cast<float>(s);
  }
}

}  // namespace hn
