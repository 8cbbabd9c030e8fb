// Decodes uploads in a child process (upload-child.ts), one at a time per API process: parsing a
// 190 MB upload, and writing its pixels through the database driver, would hold the API's event
// loop for seconds. The child runs at a lower priority so it never competes with the API for a
// core, and lives on between jobs (started on the first, it exits after DATASET_DECODER_IDLE_MS
// idle or after a job that left it large): a cold tsx process per upload cost ~1.4 s of CPU.
// While a job waits, its row's heartbeat is kept fresh from here (the child beats the running
// one's); a row whose heartbeat stops (the API died) is failed as stale by the service. A child
// that dies mid-job fails that job's row, and the next job gets a new child.
import { fork, type ChildProcess } from 'node:child_process';
import { readdir, rm, stat } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetProcessor, UploadJob } from '../ports/dataset-processor.js';
import type { DatasetStore } from '../ports/dataset-store.js';
import type { DecoderConfig, DoneMessage, JobMessage } from './upload-protocol.js';

export interface UploadRunnerOptions {
  databaseUrl: string;
  /** DATASET_MAX_BYTES, for the parsers' budget. */
  maxBytes: number;
  /** DATASET_UPLOAD_DIR: <dir>/<dataset id>/<field> are an upload's files. */
  uploadDir: string;
  /** DATASET_DECODER_IDLE_MS: how long the child waits for another job before it exits. */
  idleMs?: number;
  /** A job that leaves the child's RSS above this retires the child (its heap goes back to the system). */
  maxRssBytes?: number;
  heartbeatMs?: number;
  log?: { warn(obj: object, msg: string): void };
}

/** The child process and the job it runs (null while idle). */
interface Decoder {
  child: ChildProcess;
  job: UploadJob | null;
  /** It said it exits after its last job: it gets no other. */
  retiring: boolean;
  exited: Promise<void>;
}

const CHILD = fileURLToPath(new URL('./upload-child.ts', import.meta.url));
/** The lowest priority the API's user may set (nice 10 of 19): the API's loop wins every core. */
const NICE = 10;
export const HEARTBEAT_MS = 30_000;
export const DECODER_IDLE_MS = 30_000;
export const DECODER_MAX_RSS_BYTES = 512 * 1024 * 1024;

export class UploadRunner implements DatasetProcessor {
  private readonly waiting: UploadJob[] = [];
  private decoder: Decoder | null = null;
  /** A job the child answered, whose files are being removed: still running for idle(). */
  private settling: UploadJob | null = null;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly store: DatasetStore, private readonly opts: UploadRunnerOptions) {
    this.timer = setInterval(() => void this.beat(), opts.heartbeatMs ?? HEARTBEAT_MS).unref();
  }

  /** The decoding child's pid while one is alive (tests: one child serves many jobs). */
  get decoderPid(): number | undefined {
    return this.decoder?.child.pid;
  }

  start(job: UploadJob): void {
    this.waiting.push(job);
    this.next();
  }

  async discard(id: string): Promise<void> {
    await rm(this.dirOf(id), { recursive: true, force: true });
  }

  async uploads(): Promise<{ id: string; modifiedAt: Date }[]> {
    const entries = await readdir(this.opts.uploadDir, { withFileTypes: true }).catch(() => []);
    const out: { id: string; modifiedAt: Date }[] = [];
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const dir = this.dirOf(e.name);
      // A file still being written is newer than its folder.
      const files = await readdir(dir).catch(() => []);
      const times = await Promise.all([dir, ...files.map((f) => join(dir, f))].map((p) => stat(p).then((s) => s.mtimeMs, () => 0)));
      out.push({ id: e.name, modifiedAt: new Date(Math.max(...times)) });
    }
    return out;
  }

  /** Resolves once no job waits or runs (tests). */
  idle(): Promise<void> {
    if (!this.decoder?.job && !this.settling && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the child and fails the running job's row and the waiting ones', removing their files. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const job of this.waiting.splice(0)) {
      await this.fail(job.id, 'processing stopped: the API shut down before decoding it');
      await this.discard(job.id);
    }
    if (this.decoder) {
      const { child, exited } = this.decoder;
      child.kill('SIGKILL');
      await exited;
    }
  }

  private dirOf(id: string): string {
    return join(this.opts.uploadDir, id);
  }

  private next(): void {
    if (this.decoder?.job || this.settling || this.decoder?.retiring) return;
    // Closed: nothing more starts, and whoever awaits idle() is let go.
    const job = this.closed ? undefined : this.waiting.shift();
    if (!job) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    const decoder = (this.decoder ??= this.spawn());
    decoder.job = job;
    // Busy: the child and its channel keep the API process alive until the outcome is in.
    decoder.child.ref();
    decoder.child.channel?.ref();
    const msg: JobMessage = { type: 'job', job: { ...job, dir: this.dirOf(job.id) } };
    // A failed send means the child is gone: its exit handler settles the job.
    decoder.child.send(msg, (err) => {
      if (err) this.opts.log?.warn({ err, dataset: job.id }, 'could not send the upload to its decoding process');
    });
  }

  private spawn(): Decoder {
    const config: DecoderConfig = {
      databaseUrl: this.opts.databaseUrl, maxBytes: this.opts.maxBytes, heartbeatMs: this.opts.heartbeatMs ?? HEARTBEAT_MS,
      idleMs: this.opts.idleMs ?? DECODER_IDLE_MS, maxRssBytes: this.opts.maxRssBytes ?? DECODER_MAX_RSS_BYTES,
    };
    // tsx, as the API itself runs (package.json's scripts): the child is TypeScript too.
    const child = fork(CHILD, [JSON.stringify(config)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      if (child.pid !== undefined) setPriority(child.pid, NICE);
    } catch {
      // Not permitted here: the child still works, at the API's priority.
    }
    const decoder: Decoder = { child, job: null, retiring: false, exited: Promise.resolve() };
    decoder.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => void this.exited(decoder, code, signal).finally(resolve));
    });
    child.on('message', (msg: DoneMessage) => this.done(decoder, msg));
    child.once('error', (err) => this.opts.log?.warn({ err, dataset: decoder.job?.id }, 'upload decoding process failed'));
    return decoder;
  }

  /** The child stored the job's outcome itself. */
  private done(decoder: Decoder, msg: DoneMessage): void {
    const job = decoder.job;
    if (msg?.type !== 'done' || job?.id !== msg.id) return;
    decoder.retiring = msg.retiring;
    decoder.job = null;
    this.settling = job;
    void this.discard(job.id).finally(() => {
      this.settling = null;
      // Idle: it must not keep the API process alive (it exits on its own, or with the API).
      decoder.child.unref();
      decoder.child.channel?.unref();
      this.next();
    });
  }

  private async exited(decoder: Decoder, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const job = decoder.job;
    if (job) {
      if (code === 0 && !this.closed) {
        // A clean exit is only ever an idle one, which raced the job's send: the child never
        // started it, so it goes first to the next child.
        this.waiting.unshift(job);
      } else {
        // A finished row is left as it is: failDataset changes only a processing one.
        const why = signal ? `was killed (${signal})` : `exited with code ${code}`;
        await this.fail(job.id, `processing stopped: the decoding process ${why}`);
        await this.discard(job.id);
      }
      decoder.job = null;
    }
    if (this.decoder === decoder) this.decoder = null;
    this.next();
  }

  private async fail(id: string, message: string): Promise<void> {
    await this.store.failDataset(id, { field: null, message }).catch((err) => this.opts.log?.warn({ err, dataset: id }, 'could not mark the upload failed'));
  }

  /** Jobs waiting here would look stale to the service without it. */
  private async beat(): Promise<void> {
    for (const job of this.waiting) await this.store.heartbeatDataset(job.id).catch(() => undefined);
  }
}
