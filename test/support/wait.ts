// Polling for a state another process reaches (training, a service starting up): the only
// synchronisation there is across processes.
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `fn` until `done` holds for its value; throws, showing the last value, after `timeoutMs`. */
export async function waitFor<T>(fn: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number, what: string, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)?.slice(0, 2000)}`);
    await sleep(intervalMs);
  }
}
