// The process's GPU state, created once by init(): the device, the one stream every kernel and
// copy is queued on (so host-visible order is program order and the caching allocator may reuse
// blocks without events), the cuBLAS and cuDNN handles bound to that stream, the allocator, a
// pinned staging buffer for large host<->device copies, and the TF32 setting.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <memory>
#include <string>

#include "allocator.h"
#include "cuda-check.h"

namespace hc {

void check(cublasStatus_t status, const char* call);
void check(cudnnStatus_t status, const char* call);

struct Options {
  int device = 0;
  size_t memoryLimit = 0;  // 0: the whole card
  bool tf32 = true;        // TF32 tensor cores for matmul and convolution (strict fp32 when false)
};

class Context {
 public:
  explicit Context(const Options& options);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  cudaStream_t stream() const { return stream_; }
  cublasHandle_t cublas() const { return cublas_; }
  cudnnHandle_t cudnn() const { return cudnn_; }
  Allocator& allocator() { return *allocator_; }
  int device() const { return device_; }
  bool tf32() const { return tf32_; }
  void setTf32(bool on);

  /** Host to device, queued (the host array may be reused as soon as this returns). */
  void upload(void* dst, const void* src, size_t bytes);
  /** Device to host; waits for the stream (everything queued before it). */
  void download(void* dst, const void* src, size_t bytes);
  void synchronize() { HC_CHECK(cudaStreamSynchronize(stream_)); }

 private:
  void ensureStaging(size_t bytes);

  int device_;
  bool tf32_;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  cudnnHandle_t cudnn_ = nullptr;
  std::unique_ptr<Allocator> allocator_;
  void* staging_ = nullptr;        // pinned host memory
  size_t stagingBytes_ = 0;
  cudaEvent_t stagingFree_ = nullptr;  // recorded after the last upload that read staging_
};

/** The context, or an exception saying init() has not run. */
Context& context();
/** Creates the context (once; later calls with another device throw). */
Context& initContext(const Options& options);
bool hasContext();

}  // namespace hc
