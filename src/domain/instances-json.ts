// A prediction's JSON body decoded straight into a normalized batch, where the API's event loop
// does not have to wait for it (an inference thread: src/training/inference-thread.ts). Only the
// plain case is decoded here; any body the HTTP layer's own parser must judge (malformed JSON,
// prototype-poisoning keys, a limit broken, an outline the route's schema refuses) is handed back
// so the client gets exactly the answer a small body would get.
import { instancesToBatch } from './instances.js';
import { scanJson, type JsonScanLimits } from './json-scan.js';

export interface InstancesJsonSpec {
  inputShape: number[];
  pixelMax: number;
  maxInstances: number;
  /** The route's body limits, as the event loop's pre-scan applies them. */
  scan: JsonScanLimits;
}

/** A batch, or why the event loop's parser must take the body after all. */
export type DecodedJson = { batch: Float32Array; count: number } | { parseOnLoop: string };

const utf8 = new TextDecoder();

/**
 * `bytes`: a JSON body `{ "instances": [...] }`. Throws ValidationError for instances the model
 * cannot take (instancesToBatch, with its messages and positions).
 */
export function decodeInstancesJson(bytes: Uint8Array, spec: InstancesJsonSpec): DecodedJson {
  const problem = scanJson(bytes, spec.scan);
  if (problem) return { parseOnLoop: `breaks the ${problem} limit` };
  const text = utf8.decode(bytes);
  // secure-json-parse refuses these keys; a body naming them anywhere is rare enough to leave to it.
  if (text.includes('__proto__') || text.includes('constructor')) return { parseOnLoop: 'names __proto__ or constructor' };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { parseOnLoop: 'is not valid JSON' };
  }
  // The route's schema: an object with only a non-empty `instances` array.
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { parseOnLoop: 'is not an object' };
  const keys = Object.keys(body);
  const { instances } = body as { instances?: unknown };
  if (keys.length !== 1 || !Array.isArray(instances) || instances.length === 0) return { parseOnLoop: 'has not the outline { instances: [...] }' };
  return { batch: instancesToBatch(instances, spec.inputShape, spec.pixelMax, spec.maxInstances), count: instances.length };
}

/**
 * A body's instances already decoded (off the event loop) into the batch instancesToBatch would
 * give. An array to the route's schema, which checks only that `instances` is a non-empty array:
 * the decode checked the rest. JSON.parse never makes one, so a client cannot send one.
 */
export class DecodedInstances extends Array<never> {
  // Array methods that build a new array (map, filter) make a plain one, not this class.
  static override get [Symbol.species]() { return Array; }

  constructor(readonly batch: Float32Array, count: number) {
    super(count);
  }
}
