// Predictions off the API's event loop: a pool of worker threads (one per core by default), each
// with its own tfjs and backend and one forward pass at a time. The event loop only parses
// requests and answers them (a large JSON body not even that: a thread decodes it), so /health,
// SSE and the search routes stay fast while predictions take every core. A model is loaded into a
// thread by the first pass of it that runs there (its artifact is kept here until the model is
// disposed), so one busy model can use every thread.
import { Worker } from 'node:worker_threads';
import { ValidationError } from '../domain/errors.js';
import type { DecodedJson, InstancesJsonSpec } from '../domain/instances-json.js';
import type { ModelArtifact } from '../domain/model-artifact.js';
import type { InferenceEngine, LoadedModel } from '../domain/training-port.js';
import type { BackendName } from './backend-names.js';
import { archiveArtifact } from './archive.js';
import type { FromThread, ThreadConfig, ToThread } from './inference-protocol.js';

const BOOT = new URL('./ts-thread.mjs', import.meta.url);
const ENTRY = new URL('./inference-thread.ts', import.meta.url).href;

export interface PoolOptions {
  size: number;
  backend: BackendName;
  /** Kernel threads inside each pool thread. */
  threadsEach: number;
  /** Each thread's niceness (Linux); default 0. */
  nice?: number;
  /** A thread that died (it is replaced); the pool itself never throws for it. */
  onThreadExit?: (err: Error) => void;
}

type Work =
  | { type: 'predict'; inputs: Float32Array; count: number; shape: number[] }
  | { type: 'load' }
  | { type: 'decode'; bytes: Uint8Array; spec: InstancesJsonSpec };

interface Job {
  id: number;
  /** The model it runs on; 0 for a decode, which needs none. */
  key: number;
  work: Work;
  /** A pass's probabilities, a decode's result, nothing for a load. */
  resolve(result: unknown): void;
  reject(err: Error): void;
}

interface PoolThread {
  worker: Worker;
  ready: boolean;
  /** Sent and not yet answered, oldest first: the one it runs, then those waiting in its port. */
  jobs: Job[];
  loaded: Set<number>;
}

/**
 * Jobs a thread holds at once: the pass it runs and the next. A thread that finishes a pass then
 * starts the next at once, instead of idling until the event loop, busy answering requests, hears
 * that it finished and sends more: under load that wait left the threads half idle.
 */
const JOBS_PER_THREAD = 2;

export class InferencePool implements InferenceEngine {
  private readonly threads = new Set<PoolThread>();
  private readonly waiting: Job[] = [];
  private readonly artifacts = new Map<number, ModelArtifact>();
  private nextKey = 1;
  private nextJob = 1;
  private closed = false;
  private started: Promise<void> | undefined;

  /** Threads start with the first model loaded: an API that serves no prediction pays nothing for them. */
  constructor(private readonly opts: PoolOptions) {}

  /** Starts the threads now (a benchmark or test that times passes, not starts). */
  static async start(opts: PoolOptions): Promise<InferencePool> {
    const pool = new InferencePool(opts);
    await pool.ensureStarted();
    return pool;
  }

  get size(): number { return Math.max(1, this.opts.size); }

  /** Resolves once every thread's backend is up; if one cannot start, stops the others and lets a later load try again. */
  private ensureStarted(): Promise<void> {
    this.started ??= Promise.all(Array.from({ length: this.size }, () => this.spawn())).then(() => undefined, async (err: Error) => {
      this.started = undefined;
      await this.stopAll();
      throw err;
    });
    return this.started;
  }

  /** Loads into one thread at once, so a broken artifact fails here as it would inline. */
  async load(artifact: ModelArtifact): Promise<LoadedModel> {
    if (this.closed) throw new Error('the inference pool is closed');
    await this.ensureStarted();
    const key = this.nextKey++;
    // Our own copy: the bytes may be a view into a larger buffer, which a message would copy whole.
    this.artifacts.set(key, { ...artifact, weightData: new Uint8Array(artifact.weightData) });
    try {
      await this.submit(key, { type: 'load' });
    } catch (err) {
      this.dispose(key);
      throw err;
    }
    return {
      predict: async (inputs, count, shape) => await this.submit(key, { type: 'predict', inputs, count, shape }) as Float32Array,
      dispose: () => this.dispose(key),
      parallelism: this.size * JOBS_PER_THREAD,
    };
  }

  /** In a thread, queued with the passes: a large body's parse then never holds the event loop. */
  async decodeInstances(bytes: Uint8Array, spec: InstancesJsonSpec): Promise<DecodedJson> {
    if (this.closed) throw new Error('the inference pool is closed');
    await this.ensureStarted();
    return await this.submit(0, { type: 'decode', bytes, spec }) as DecodedJson;
  }

  /** On the event loop: a download is rare, and converting is quick next to sending it. */
  archive = archiveArtifact;

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) job.reject(new Error('the inference pool is closing'));
    await this.stopAll();
  }

  private async stopAll(): Promise<void> {
    const stopping = [...this.threads];
    this.threads.clear(); // before they exit: a thread not in the set is not replaced
    await Promise.all(stopping.map((t) => t.worker.terminate()));
  }

  private submit(key: number, work: Work): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the inference pool is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: this.nextJob++, key, work, resolve, reject });
      this.pump();
    });
  }

  /** Gives waiting jobs, oldest first, to the threads holding the fewest, preferring one that holds the job's model. */
  private pump(): void {
    while (this.waiting.length > 0) {
      const open = [...this.threads].filter((t) => t.ready && t.jobs.length < JOBS_PER_THREAD);
      if (open.length === 0) return;
      const fewest = Math.min(...open.map((t) => t.jobs.length));
      const candidates = open.filter((t) => t.jobs.length === fewest);
      const job = this.waiting.shift()!;
      this.send(candidates.find((t) => t.loaded.has(job.key)) ?? candidates[0], job);
    }
  }

  private send(thread: PoolThread, job: Job): void {
    if (job.work.type === 'decode') {
      thread.jobs.push(job);
      const bytes = new Uint8Array(job.work.bytes); // a copy to transfer (Buffer's slice() would be a view into memory others share)
      thread.worker.postMessage({ type: 'decode', id: job.id, bytes, spec: job.work.spec } satisfies ToThread, [bytes.buffer]);
      return;
    }
    const artifact = thread.loaded.has(job.key) ? undefined : this.artifacts.get(job.key);
    if (!thread.loaded.has(job.key) && !artifact) return job.reject(new Error('the model was unloaded before its prediction ran'));
    thread.jobs.push(job);
    thread.loaded.add(job.key); // the thread keeps it from this message on, or answers an error
    let msg: ToThread;
    const transfer: ArrayBuffer[] = [];
    if (job.work.type === 'predict') {
      const inputs = job.work.inputs.slice(); // ours to transfer: the caller keeps its array
      transfer.push(inputs.buffer as ArrayBuffer);
      msg = { type: 'predict', id: job.id, key: job.key, artifact, inputs, count: job.work.count, shape: job.work.shape };
    } else {
      msg = { type: 'load', id: job.id, key: job.key, artifact: artifact! };
    }
    thread.worker.postMessage(msg, transfer);
  }

  private dispose(key: number): void {
    this.artifacts.delete(key);
    for (const t of this.threads) {
      if (t.loaded.delete(key)) t.worker.postMessage({ type: 'dispose', key } satisfies ToThread);
    }
  }

  /** A new thread; resolves when its backend is up. A thread that dies is replaced unless closing. */
  private spawn(): Promise<void> {
    const config: ThreadConfig = { entry: ENTRY, backend: this.opts.backend, threads: this.opts.threadsEach, nice: this.opts.nice ?? 0 };
    const worker = new Worker(BOOT, { workerData: config });
    const thread: PoolThread = { worker, ready: false, jobs: [], loaded: new Set() };
    this.threads.add(thread);
    return new Promise((resolve, reject) => {
      worker.on('message', (m: FromThread) => {
        if (m.type === 'ready') {
          thread.ready = true;
          resolve();
        } else {
          // A thread answers its jobs in the order it got them.
          const job = thread.jobs[0]?.id === m.id ? thread.jobs.shift() : undefined;
          if (job) {
            if (m.type === 'done') job.resolve(m.probs);
            else if (m.type === 'decoded') job.resolve(m.decoded);
            else if (m.type === 'invalid') job.reject(new ValidationError(m.field, m.reason));
            else {
              if (job.work.type === 'load') thread.loaded.delete(job.key);
              job.reject(new Error(m.message));
            }
          }
        }
        this.pump();
      });
      let failure: Error | undefined;
      worker.on('error', (err) => { failure = err; });
      worker.on('exit', (code) => {
        if (!this.threads.delete(thread)) return; // stopped on purpose
        if (this.closed) return;
        const err = failure ?? new Error(`an inference thread exited with code ${code}`);
        if (!thread.ready) return reject(err); // could not start: not replaced (it would fail again)
        for (const job of thread.jobs.splice(0)) job.reject(new Error(`the inference thread running this prediction died: ${err.message}`));
        this.opts.onThreadExit?.(err);
        this.spawn().then(() => this.pump(), (e: Error) => {
          this.opts.onThreadExit?.(e);
          // No thread left to run them: fail what waits rather than hang.
          if (this.threads.size === 0) for (const job of this.waiting.splice(0)) job.reject(e);
        });
      });
    });
  }
}
