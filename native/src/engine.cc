// One CPU engine and one in-order stream for the process (oneDNN's OpenMP runtime does the threading).
#include "common.h"

namespace hn {

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

}  // namespace hn
