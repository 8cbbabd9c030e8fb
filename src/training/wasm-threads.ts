// Multi-threaded tfjs wasm (XNNPACK on a pthreadpool) in Node. tfjs 4.22 ships the threaded SIMD
// build but never uses it in Node (tfjs issue 3830), and forcing it on fails in three places. The
// workarounds below are each as narrow as we could make them; all of them are active only while
// the wasm backend's factory runs (tf.setBackend('wasm') / tf.ready()), except the flag and the
// Worker subclass, which Emscripten keeps as globalThis.Worker for pthreads it creates later.
//
//  1. Feature flag: WASM_HAS_MULTITHREAD_SUPPORT returns false whenever IS_NODE. We set it to the
//     answer of tfjs' own browser check (SharedArrayBuffer + a wasm module using atomics).
//  2. Worker paths: tfjs hands Emscripten `blob:` URLs, for the pthread worker script (locateFile
//     of '*.worker.js') and for the main script every worker imports (mainScriptUrlOrBlob, a Blob
//     holding the bundled factory). Node's Worker accepts no blob: URL (ERR_WORKER_PATH), and the
//     bundled factory would not run in a worker anyway (it refers to the bundle's helpers). While
//     the factory runs, worker_threads.Worker is a subclass that starts the package's own worker
//     source (wasm-out/*.worker.js, an exported string: run with eval, and without the parent's
//     execArgv) and rewrites the 'load' message to the package's standalone Emscripten glue
//     (wasm-out/*-threaded-simd.js), built with the same .wasm binary (dist/ and wasm-out/ hold
//     byte-identical copies).
//  3. Thread cap: the C++ side uses min(requested, 8, logical cores / 2), the cores coming from
//     os.cpus().length, so a 2-core host gets 1 thread. While the factory runs, os.cpus() reports
//     at least 2 x threads entries (copies of the real ones).
//  4. Exit: Emscripten ref()s a worker while its pthread runs; pthreadpool threads run forever, so
//     the process would never exit on its own. The subclass's ref() does nothing for pthread
//     workers (the main thread blocks in Atomics.wait during parallel work, so no event-loop
//     reference is needed); Node terminates them at exit.
import { createRequire } from 'node:module';
import type { TransferListItem, WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);
// The builtins' shared export objects (what the bundle's own require() returns), typed mutable.
const workerThreads = require('node:worker_threads') as { Worker: typeof import('node:worker_threads').Worker };
const os = require('node:os') as { cpus: typeof import('node:os').cpus; availableParallelism(): number };
const BACKEND = 'wasm';
const WORKER_SOURCE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
const GLUE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';

/** tfjs' browser check for wasm threads (a module with shared memory and an atomic load). */
function threadsSupported(): string | undefined {
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is not available';
  try {
    const ok = WebAssembly.validate(new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11,
    ]));
    return ok ? undefined : 'this Node cannot validate wasm atomics';
  } catch (err) {
    return `wasm threads check failed: ${(err as Error).message}`;
  }
}

type WorkerClass = typeof import('node:worker_threads').Worker;

/** Patches 2 and 4 (see the header): only workers created from tfjs' blob: URLs are changed. */
function pthreadWorkerClass(base: WorkerClass, workerSource: string, gluePath: string): WorkerClass {
  return class PthreadWorker extends base {
    private readonly pthread: boolean;
    constructor(filename: string | URL, options?: WorkerOptions) {
      const pthread = String(filename).startsWith('blob:');
      // execArgv []: a worker inherits the parent's by default, and `--input-type=module` would
      // make the eval'd source an ES module (it needs require), `--import tsx` would load tsx 8 times.
      super(pthread ? workerSource : filename, pthread ? { ...options, eval: true, execArgv: [] } : options);
      this.pthread = pthread;
    }
    override postMessage(value: unknown, transferList?: readonly TransferListItem[]): void {
      const msg = value as { cmd?: string; urlOrBlob?: unknown } | null;
      if (this.pthread && msg?.cmd === 'load' && typeof msg.urlOrBlob !== 'string') {
        value = { ...msg, urlOrBlob: gluePath }; // the worker importScripts() it by path
      }
      super.postMessage(value, transferList);
    }
    override ref(): void {
      if (!this.pthread) super.ref();
    }
  };
}

let enabled: { threads: number } | undefined;

function backendInitialized(): boolean {
  return BACKEND in tf.engine().registry;
}

/**
 * Must run before the wasm backend initializes. threads: the setting (default =
 * os.availableParallelism()). Returns undefined on success or the reason it could not (then wasm
 * stays single-threaded).
 */
export function enableWasmThreads(threads: number = os.availableParallelism()): string | undefined {
  if (!(Number.isInteger(threads) && threads >= 1)) return `invalid thread count ${threads}`;
  if (enabled) {
    enabled.threads = threads;
    setThreadsCount(threads);
    return backendInitialized() ? 'the wasm backend is already initialized' : undefined;
  }
  if (backendInitialized()) return 'the wasm backend is already initialized';
  const unsupported = threadsSupported();
  if (unsupported) return unsupported;
  let workerSource: string;
  let gluePath: string;
  try {
    // The string comes from a template literal, so its "\n" escapes are real newlines now, inside
    // string literals; tfjs escapes them back before making its Blob, and so do we.
    workerSource = (require(WORKER_SOURCE) as { wasmWorkerContents: string }).wasmWorkerContents.replace(/\n/g, '\\n');
    gluePath = require.resolve(GLUE);
  } catch (err) {
    return `the threaded wasm build is missing: ${(err as Error).message}`;
  }
  const entry = tf.engine().registryFactory[BACKEND];
  if (!entry) return 'the wasm backend is not registered (import @tensorflow/tfjs-backend-wasm)';

  enabled = { threads };
  setThreadsCount(threads);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true); // patch 1
  const { factory, priority } = entry;
  const state = enabled;
  tf.removeBackend(BACKEND);
  tf.registerBackend(BACKEND, async () => {
    const realWorker = workerThreads.Worker;
    const realCpus = os.cpus;
    // Emscripten reads require('worker_threads').Worker (the same object) and os.cpus() itself.
    workerThreads.Worker = pthreadWorkerClass(realWorker, workerSource, gluePath);
    os.cpus = () => { // patch 3
      const cpus = realCpus();
      const want = Math.max(cpus.length, 2 * state.threads);
      return Array.from({ length: want }, (_, i) => cpus[i % cpus.length]);
    };
    try {
      return await factory();
    } finally {
      workerThreads.Worker = realWorker;
      os.cpus = realCpus;
    }
  }, priority);
  return undefined;
}

/** Threads the initialized wasm backend really uses (1 before the backend initialized). */
export function wasmThreadCount(): number {
  if (!backendInitialized()) return 1;
  try {
    return getThreadsCount();
  } catch {
    return 1;
  }
}
