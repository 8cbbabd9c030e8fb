// See context.h.
#include "context.h"

#include <cstring>
#include <string>

namespace hc {

namespace {
// Copies this size and up go through pinned memory: pageable copies are staged by the driver in
// small chunks at a fraction of the bus speed; below it the extra memcpy is not worth it.
constexpr size_t PINNED_MIN = 1 << 20;
constexpr size_t PINNED_MAX = 64 << 20;  // larger copies (a data set, once) go pageable: no 1 GB pinned buffer
// Never deleted: destroying CUDA objects from a static destructor at exit races the runtime's own
// teardown (crashes or hangs); the driver reclaims everything when the process ends.
Context* current = nullptr;
}  // namespace

void check(cublasStatus_t status, const char* call) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  throw std::runtime_error(std::string(call) + " failed: " + cublasGetStatusString(status) + " (cuBLAS status " + std::to_string(status) + ")");
}

void check(cudnnStatus_t status, const char* call) {
  if (status == CUDNN_STATUS_SUCCESS) return;
  throw std::runtime_error(std::string(call) + " failed: " + cudnnGetErrorString(status) + " (cuDNN status " + std::to_string(status) + ")");
}

Context::Context(const Options& o) : device_(o.device), tf32_(o.tf32) {
  HC_CHECK(cudaSetDevice(device_));
  size_t freeBytes = 0, totalBytes = 0;
  HC_CHECK(cudaMemGetInfo(&freeBytes, &totalBytes));
  allocator_ = std::make_unique<Allocator>(o.memoryLimit > 0 ? o.memoryLimit : totalBytes);
  // Non-blocking: never serialized against the legacy default stream some library might use.
  HC_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  HC_CHECK(cudaEventCreateWithFlags(&stagingFree_, cudaEventDisableTiming));
  HC_CHECK(cublasCreate(&cublas_));
  HC_CHECK(cublasSetStream(cublas_, stream_));
  HC_CHECK(cudnnCreate(&cudnn_));
  HC_CHECK(cudnnSetStream(cudnn_, stream_));
  setTf32(tf32_);
}

Context::~Context() {
  // Process exit: best effort, errors ignored (the driver may be unloading).
  if (stream_) cudaStreamSynchronize(stream_);
  allocator_.reset();
  if (staging_) cudaFreeHost(staging_);
  if (stagingFree_) cudaEventDestroy(stagingFree_);
  if (cudnn_) cudnnDestroy(cudnn_);
  if (cublas_) cublasDestroy(cublas_);
  if (stream_) cudaStreamDestroy(stream_);
}

void Context::setTf32(bool on) {
  tf32_ = on;
  // CUBLAS_DEFAULT_MATH is strict fp32; TF32 must be asked for. (cuDNN's math type is set per
  // convolution descriptor in conv.cc.)
  HC_CHECK(cublasSetMathMode(cublas_, on ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
}

void Context::ensureStaging(size_t bytes) {
  if (bytes <= stagingBytes_) return;
  HC_CHECK(cudaEventSynchronize(stagingFree_));
  if (staging_) HC_CHECK(cudaFreeHost(staging_));
  staging_ = nullptr;
  stagingBytes_ = 0;
  HC_CHECK(cudaHostAlloc(&staging_, bytes, cudaHostAllocDefault));
  stagingBytes_ = bytes;
}

void Context::upload(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  if (bytes < PINNED_MIN || bytes > PINNED_MAX) {
    // Pageable: the driver copies `src` into its own staging before returning.
    HC_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_));
    return;
  }
  ensureStaging(bytes);
  HC_CHECK(cudaEventSynchronize(stagingFree_));  // the previous upload from staging has been read
  std::memcpy(staging_, src, bytes);
  HC_CHECK(cudaMemcpyAsync(dst, staging_, bytes, cudaMemcpyHostToDevice, stream_));
  HC_CHECK(cudaEventRecord(stagingFree_, stream_));
}

void Context::download(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) {
    synchronize();
    return;
  }
  if (bytes < PINNED_MIN || bytes > PINNED_MAX) {
    HC_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_));
    synchronize();
    return;
  }
  ensureStaging(bytes);
  HC_CHECK(cudaMemcpyAsync(staging_, src, bytes, cudaMemcpyDeviceToHost, stream_));
  synchronize();
  std::memcpy(dst, staging_, bytes);
}

Context& context() {
  if (!current) throw std::runtime_error("cuda addon: init() has not been called");
  return *current;
}

bool hasContext() { return current != nullptr; }

Context& initContext(const Options& options) {
  if (current) {
    if (current->device() != options.device) {
      throw std::runtime_error("cuda addon: already initialized on device " + std::to_string(current->device()));
    }
    return *current;
  }
  current = new Context(options);
  return *current;
}

}  // namespace hc
