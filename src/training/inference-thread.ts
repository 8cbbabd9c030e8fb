// One thread of the API's inference pool: its own tfjs and backend, the models the pool sent it,
// one message at a time in arrival order (so a dispose never overtakes a pass of its model).
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { ValidationError } from '../domain/errors.js';
import { decodeInstancesJson } from '../domain/instances-json.js';
import type { LoadedModel } from '../domain/training-port.js';
import { initBackend } from './backend.js';
import { TfjsInference } from './inference.js';
import type { FromThread, ThreadConfig, ToThread } from './inference-protocol.js';

const port = parentPort!;
const config = workerData as ThreadConfig;
const engine = new TfjsInference();
const models = new Map<number, LoadedModel>();

const send = (m: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

async function handle(m: ToThread): Promise<void> {
  if (m.type === 'dispose') {
    models.get(m.key)?.dispose();
    models.delete(m.key);
    return;
  }
  if (m.type === 'decode') return decode(m);
  try {
    let model = models.get(m.key);
    if (!model) {
      if (!m.artifact) throw new Error(`model ${m.key} is not loaded in this inference thread`);
      model = await engine.load(m.artifact);
      models.set(m.key, model);
    }
    if (m.type === 'load') return send({ type: 'done', id: m.id });
    // A copy of our own to transfer: the backend may keep the array it returned.
    const probs = Float32Array.from(await model.predict(m.inputs, m.count, m.shape));
    send({ type: 'done', id: m.id, probs }, [probs.buffer]);
  } catch (err) {
    send({ type: 'error', id: m.id, message: err instanceof Error ? err.message : String(err) });
  }
}

function decode(m: Extract<ToThread, { type: 'decode' }>): void {
  try {
    const decoded = decodeInstancesJson(m.bytes, m.spec);
    send({ type: 'decoded', id: m.id, decoded }, 'batch' in decoded ? [decoded.batch.buffer as ArrayBuffer] : []);
  } catch (err) {
    if (err instanceof ValidationError) send({ type: 'invalid', id: m.id, field: err.field, reason: err.reason });
    else send({ type: 'error', id: m.id, message: err instanceof Error ? err.message : String(err) });
  }
}

/**
 * Linux nices threads one by one: setpriority() given a thread id applies to that thread alone,
 * and /proc/thread-self names ours. Kernel threads it starts later inherit it. Elsewhere: no-op.
 */
function niceThisThread(nice: number): void {
  if (nice === 0 || process.platform !== 'linux') return;
  try {
    os.setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), nice);
  } catch {
    // Not allowed here (a container's policy): predictions still run, at the event loop's priority.
  }
}

niceThisThread(config.nice);
// A backend that cannot start here throws: the thread dies and the pool reports why.
// A forward pass needs far less than a training step's buffers; and passes of every batch size
// from 1 to PREDICT_BATCH_MAX would otherwise each keep their own, in every thread.
await initBackend(config.backend, { threads: config.threads, bufferPoolBytes: 64 * 1024 * 1024 });
let queue = Promise.resolve();
port.on('message', (m: ToThread) => { queue = queue.then(() => handle(m)); });
send({ type: 'ready' });
