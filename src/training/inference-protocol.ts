// Messages between the API's inference pool (inference-pool.ts, the event loop's side) and its
// threads (inference-thread.ts). Arrays travel as transferred buffers, not copies.
import type { DecodedJson, InstancesJsonSpec } from '../domain/instances-json.js';
import type { ModelArtifact } from '../domain/model-artifact.js';
import type { BackendName } from './backend-names.js';

/** What a thread is started with (its workerData). */
export interface ThreadConfig {
  /** The module the bootstrap (ts-thread.mjs) imports: inference-thread.ts. */
  entry: string;
  backend: BackendName;
  /** Kernel threads inside this one thread (native: OpenMP). */
  threads: number;
  /** Niceness of this thread (Linux): above the event loop's, whose wakeups then come first. */
  nice: number;
}

/** A model travels with the first pass of it that a thread runs; `key` names it from then on. */
export type ToThread =
  | { type: 'predict'; id: number; key: number; artifact?: ModelArtifact; inputs: Float32Array; count: number; shape: number[] }
  | { type: 'load'; id: number; key: number; artifact: ModelArtifact }
  | { type: 'dispose'; key: number }
  /** A prediction's JSON body, decoded here rather than on the event loop. */
  | { type: 'decode'; id: number; bytes: Uint8Array; spec: InstancesJsonSpec };

export type FromThread =
  | { type: 'ready' }
  | { type: 'done'; id: number; probs?: Float32Array }
  | { type: 'decoded'; id: number; decoded: DecodedJson }
  /** A decoded body's instances broke a rule (ValidationError's field and reason). */
  | { type: 'invalid'; id: number; field: string; reason: string }
  | { type: 'error'; id: number; message: string };
