// What the upload runner (upload-runner.ts) and its long-lived decoding child (upload-child.ts)
// say to each other: the child's settings once, as its argv[2], then one job at a time over IPC,
// each answered when the child has stored its outcome (ready or failed) itself.
import type { UploadJob } from '../ports/dataset-processor.js';

/** The child's settings, fixed for its life (its argv[2], as JSON). */
export interface DecoderConfig {
  databaseUrl: string;
  /** DATASET_MAX_BYTES, for the parsers' budget. */
  maxBytes: number;
  /** How often the child refreshes the running job's heartbeat. */
  heartbeatMs: number;
  /** DATASET_DECODER_IDLE_MS: the child exits after this long without a job. */
  idleMs: number;
  /** A job that leaves the child's RSS above this retires it, so the memory goes back to the system. */
  maxRssBytes: number;
}

/** Runner → child: decode this upload (its files are under `dir`). */
export interface JobMessage {
  type: 'job';
  job: UploadJob & { dir: string };
}

/** Child → runner: the job's outcome is stored; `retiring`: the child exits now, send it nothing more. */
export interface DoneMessage {
  type: 'done';
  id: string;
  retiring: boolean;
}
