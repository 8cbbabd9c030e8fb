// Sends a large body from a worker thread: the test process is also the API, so building and
// writing 8 MB on the main thread would stall the loop being measured and blame the API for it.
import { Worker } from 'node:worker_threads';

const SCRIPT = `
const { parentPort, workerData: { url, body, contentType, headers } } = require('node:worker_threads');
fetch(url, { method: 'POST', body: new Function('return ' + body)(), headers: { ...headers, 'content-type': contentType } })
  .then(async (r) => parentPort.postMessage({ status: r.status, text: await r.text() }), (e) => parentPort.postMessage({ status: 0, text: String(e) }));
`;

/** POSTs the string that the JS expression `body` builds (e.g. "'['.repeat(8e6)") to `url`, off the main thread. */
export function postOffThread(url: string, body: string, contentType = 'application/json', headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SCRIPT, { eval: true, workerData: { url, body, contentType, headers } });
    worker.once('message', (m) => { resolve(m); void worker.terminate(); });
    worker.once('error', reject);
  });
}
