// See allocator.h.
#include "allocator.h"

#include <cuda_runtime_api.h>

#include <string>

#include "cuda-check.h"

namespace hc {

namespace {
constexpr size_t MIB = 1024 * 1024;
std::string mib(size_t bytes) { return std::to_string(bytes / MIB) + " MiB"; }
}  // namespace

size_t Allocator::roundUp(size_t bytes) {
  if (bytes < MIB) return ((bytes + 511) / 512) * 512;
  return ((bytes + 2 * MIB - 1) / (2 * MIB)) * (2 * MIB);
}

Allocator::~Allocator() {
  // At process exit the driver may already be shutting down: errors here are ignored.
  for (auto& [size, blocks] : free_) for (void* p : blocks) cudaFree(p);
  for (auto& [p, size] : live_) cudaFree(p);
}

void* Allocator::alloc(size_t bytes) {
  if (bytes == 0) return nullptr;
  const size_t size = roundUp(bytes);
  auto bucket = free_.find(size);
  void* ptr = nullptr;
  if (bucket != free_.end() && !bucket->second.empty()) {
    ptr = bucket->second.back();
    bucket->second.pop_back();
    stats_.cached -= size;
  } else {
    if (stats_.inUse + stats_.cached + size > stats_.limit) release();
    if (stats_.inUse + size > stats_.limit) {
      throw std::runtime_error("cuda memory limit: " + mib(size) + " requested with " + mib(stats_.inUse) + " in use, limit " +
                               mib(stats_.limit) + " (HYPERTUNE_CUDA_MEMORY_LIMIT or the backend's memoryLimitBytes)");
    }
    cudaError_t status = cudaMalloc(&ptr, size);
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();  // clear the sticky-free error state before retrying
      release();
      status = cudaMalloc(&ptr, size);
    }
    if (status != cudaSuccess) {
      check(status, ("cudaMalloc(" + mib(size) + ", " + mib(stats_.inUse) + " in use by this process)").c_str());
    }
    stats_.mallocs++;
  }
  live_.emplace(ptr, size);
  stats_.inUse += size;
  stats_.blocksInUse++;
  if (stats_.inUse > stats_.peakInUse) stats_.peakInUse = stats_.inUse;
  return ptr;
}

void Allocator::free(void* ptr) {
  if (ptr == nullptr) return;
  auto it = live_.find(ptr);
  if (it == live_.end()) throw std::runtime_error("cuda allocator: free of a pointer it did not allocate (or freed twice)");
  const size_t size = it->second;
  live_.erase(it);
  stats_.inUse -= size;
  stats_.blocksInUse--;
  free_[size].push_back(ptr);
  stats_.cached += size;
}

void Allocator::release() {
  for (auto& [size, blocks] : free_) {
    for (void* p : blocks) HC_CHECK(cudaFree(p));
    stats_.cached -= size * blocks.size();
  }
  free_.clear();
}

}  // namespace hc
