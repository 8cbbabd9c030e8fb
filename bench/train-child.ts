// One measurement of bench/train.ts in a fresh process (a backend's threads and heap are set up
// once per process): samples/s of trainOnBatch on the notebook's best model. Prints one JSON line.
// Usage: train-child.ts BACKEND BATCH SECONDS THREADS
import { NOTEBOOK_MODEL } from '../test/fixtures/reference-search.js';
import { BackendUnavailableError } from '../src/training/backend-unavailable.js';
import { initBackend, isBackendName } from '../src/training/backend.js';
import { measureTraining } from '../src/training/backend-probe.js';

const [name, batchArg, secondsArg, threadsArg] = process.argv.slice(2);
if (!isBackendName(name)) throw new Error(`unknown backend '${name}'`);
const batch = Number(batchArg);
const seconds = Number(secondsArg);
const print = (o: object) => process.stdout.write(`${JSON.stringify({ engine: name, batch, ...o })}\n`);

try {
  const backend = await initBackend(name, { threads: Number(threadsArg) });
  const r = await measureTraining(NOTEBOOK_MODEL, batch, seconds * 1000);
  print({ detail: backend.detail, threads: backend.threads, ...r });
} catch (err) {
  if (!(err instanceof BackendUnavailableError)) throw err;
  print({ unavailable: err.reason });
}
process.exit(0); // wasm pthreads and Dawn keep handles open
