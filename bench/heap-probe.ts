// Preloaded into the trial worker by bench/worker-memory.ts (`node --expose-gc --import tsx --import
// bench/heap-probe.ts`): on the bench's 'heap-probe' IPC message, forces a full GC and answers the
// live JS heap, so a leak of JS objects is told apart from RSS the allocator keeps (fragmentation).
// Nothing in the service imports it.
import v8 from 'node:v8';

export interface HeapProbe { t: number; usedKiB: number; externalKiB: number; arrayBuffersKiB: number; rssKiB: number; forcedGc: boolean }

process.on('message', (m) => {
  if (m !== 'heap-probe') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const mu = process.memoryUsage();
  const probe: HeapProbe = {
    t: Date.now(), usedKiB: v8.getHeapStatistics().used_heap_size / 1024, externalKiB: mu.external / 1024,
    arrayBuffersKiB: mu.arrayBuffers / 1024, rssKiB: mu.rss / 1024, forcedGc: gc !== undefined,
  };
  process.send?.({ heapProbe: probe });
});
// The IPC channel must not keep the worker alive once it has drained its jobs on SIGTERM.
process.channel?.unref();
