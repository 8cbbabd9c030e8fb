// Turns a failed CUDA runtime call into a C++ exception naming the call; the Node-API layer
// (NODE_ADDON_API_CPP_EXCEPTIONS_ALL) rethrows it as a JS Error. Shared by the .cu kernels and the
// .cc addon. Kernel launches are asynchronous: a bad launch shows at once (cudaGetLastError), a
// fault inside a kernel only at the next synchronizing call, unless HYPERTUNE_CUDA_SYNC=1 makes
// every launch wait (slow; for finding which kernel faulted).
#pragma once
#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

namespace hc {

inline void check(cudaError_t status, const char* call) {
  if (status == cudaSuccess) return;
  throw std::runtime_error(std::string(call) + " failed: " + cudaGetErrorString(status) + " (" + cudaGetErrorName(status) + ")");
}

/** Whether every launch synchronizes (read once). */
bool syncEachLaunch();

/** After a <<<>>> launch: the launch error, and with HYPERTUNE_CUDA_SYNC=1 the kernel's own. */
inline void checkLaunch(const char* kernel, cudaStream_t stream) {
  check(cudaGetLastError(), kernel);
  if (syncEachLaunch()) check(cudaStreamSynchronize(stream), kernel);
}

}  // namespace hc

#define HC_CHECK(call) ::hc::check((call), #call)
