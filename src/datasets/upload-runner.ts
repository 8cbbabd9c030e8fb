// Decodes uploads in a child process (upload-child.ts), one at a time per API process: parsing a
// 190 MB upload, and writing its pixels through the database driver, would hold the API's event
// loop for seconds. The child runs at a lower priority so it never competes with the API for a
// core. While a job waits or runs, its row's heartbeat is kept fresh from here; a row whose
// heartbeat stops (the API died) is failed as stale by the service. A child that dies fails its row.
import { fork, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetProcessor, UploadJob } from '../ports/dataset-processor.js';
import type { DatasetStore } from '../ports/dataset-store.js';

export interface UploadRunnerOptions {
  databaseUrl: string;
  /** DATASET_MAX_BYTES, for the parsers' budget. */
  maxBytes: number;
  /** DATASET_UPLOAD_DIR: <dir>/<dataset id>/<field> are an upload's files. */
  uploadDir: string;
  heartbeatMs?: number;
  log?: { warn(obj: object, msg: string): void };
}

/** What the child is given (its argv[2], as JSON). */
export interface ChildJob extends UploadJob {
  databaseUrl: string;
  maxBytes: number;
  dir: string;
  heartbeatMs: number;
}

const CHILD = fileURLToPath(new URL('./upload-child.ts', import.meta.url));
/** The lowest priority the API's user may set (nice 10 of 19): the API's loop wins every core. */
const NICE = 10;
export const HEARTBEAT_MS = 30_000;

export class UploadRunner implements DatasetProcessor {
  private readonly waiting: UploadJob[] = [];
  private current: { job: UploadJob; child: ChildProcess; exited: Promise<void> } | null = null;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly store: DatasetStore, private readonly opts: UploadRunnerOptions) {
    this.timer = setInterval(() => void this.beat(), opts.heartbeatMs ?? HEARTBEAT_MS).unref();
  }

  start(job: UploadJob): void {
    this.waiting.push(job);
    this.next();
  }

  async discard(id: string): Promise<void> {
    await rm(this.dirOf(id), { recursive: true, force: true });
  }

  /** Resolves once no job waits or runs (tests). */
  idle(): Promise<void> {
    if (!this.current && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the running child and fails its row and the waiting ones', removing their files. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const job of this.waiting.splice(0)) {
      await this.fail(job.id, 'processing stopped: the API shut down before decoding it');
      await this.discard(job.id);
    }
    if (this.current) {
      this.current.child.kill('SIGKILL');
      await this.current.exited;
    }
  }

  private dirOf(id: string): string {
    return join(this.opts.uploadDir, id);
  }

  private next(): void {
    if (this.current || this.closed) return;
    const job = this.waiting.shift();
    if (!job) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    const payload: ChildJob = { ...job, databaseUrl: this.opts.databaseUrl, maxBytes: this.opts.maxBytes, dir: this.dirOf(job.id), heartbeatMs: this.opts.heartbeatMs ?? HEARTBEAT_MS };
    // tsx, as the API itself runs (package.json's scripts): the child is TypeScript too.
    const child = fork(CHILD, [JSON.stringify(payload)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      if (child.pid !== undefined) setPriority(child.pid, NICE);
    } catch {
      // Not permitted here: the child still works, at the API's priority.
    }
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        // Exit code 0: the child stored the outcome itself. Otherwise what it did not finish is failed
        // (a finished row is left as it is: failDataset changes only a processing one).
        const why = signal ? `was killed (${signal})` : `exited with code ${code}`;
        const failing = code === 0 ? Promise.resolve() : this.fail(job.id, `processing stopped: the decoding process ${why}`);
        void failing
          .then(() => this.discard(job.id))
          .finally(() => {
            this.current = null;
            resolve();
            this.next();
          });
      });
    });
    child.once('error', (err) => this.opts.log?.warn({ err, dataset: job.id }, 'upload decoding process failed to start'));
    this.current = { job, child, exited };
  }

  private async fail(id: string, message: string): Promise<void> {
    await this.store.failDataset(id, { field: null, message }).catch((err) => this.opts.log?.warn({ err, dataset: id }, 'could not mark the upload failed'));
  }

  /** Jobs waiting here would look stale to the service without it. */
  private async beat(): Promise<void> {
    for (const job of this.waiting) await this.store.heartbeatDataset(job.id).catch(() => undefined);
  }
}
