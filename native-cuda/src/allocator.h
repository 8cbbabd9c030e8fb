// A caching allocator for device memory, as PyTorch's: cudaMalloc and cudaFree are slow and
// cudaFree synchronizes the whole device, so freed blocks go to free lists by rounded size and the
// next request of that size takes one back. Safe because every kernel and copy of this process runs
// on one stream: work that reuses a block is queued after all work that used it.
// Bounded by a limit on in-use + cached bytes (several trial processes share one card; a trial
// gets its share and a clear error past it, not a card-wide out-of-memory in another trial).
#pragma once
#include <cstddef>
#include <map>
#include <unordered_map>
#include <vector>

namespace hc {

struct AllocatorStats {
  size_t inUse = 0;       // bytes handed out (rounded sizes)
  size_t cached = 0;      // bytes in the free lists
  size_t peakInUse = 0;   // highest inUse since start (or since resetPeak)
  size_t limit = 0;       // in use + cached never exceeds this
  size_t mallocs = 0;     // cudaMalloc calls (a steady training loop stops adding to it)
  size_t blocksInUse = 0;
};

class Allocator {
 public:
  explicit Allocator(size_t limit) { stats_.limit = limit; }
  ~Allocator();
  Allocator(const Allocator&) = delete;
  Allocator& operator=(const Allocator&) = delete;

  /** A block of at least `bytes` (nullptr for 0). Throws naming the limit or cudaMalloc. */
  void* alloc(size_t bytes);
  /** Returns a block from alloc to the cache (nullptr: nothing). Throws on a pointer it never gave. */
  void free(void* ptr);
  /** Frees every cached block back to the device (cudaFree: synchronizes the device). */
  void release();
  void setLimit(size_t limit) { stats_.limit = limit; }
  void resetPeak() { stats_.peakInUse = stats_.inUse; }
  const AllocatorStats& stats() const { return stats_; }
  /** The size alloc really takes for a request: 512-byte steps below 1 MiB, 2 MiB steps above. */
  static size_t roundUp(size_t bytes);

 private:
  std::unordered_map<void*, size_t> live_;     // block -> rounded size
  std::map<size_t, std::vector<void*>> free_;  // rounded size -> cached blocks
  AllocatorStats stats_;
};

}  // namespace hc
