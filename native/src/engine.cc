// One CPU engine for the process and one in-order stream per thread (a stream is not safe to share
// between threads; the API's inference pool runs kernels on several); OpenMP does the threading.
#include "common.h"

namespace hn {

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  thread_local dnnl::stream stream(cpuEngine());
  return stream;
}

}  // namespace hn
