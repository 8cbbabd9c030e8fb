// How long the API's event loop stalls while a request runs, seen as a client sees it: GET /health
// is sent every few milliseconds beside the request, and the slowest answer is the stall (a
// handler that parses or validates on the loop delays every /health queued behind it). A stall
// that begins while the prober sleeps is seen short that way, so the loop's own delay (the test
// harness runs the API in this process) is measured beside it.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StallMeasure<T> {
  result: T;
  /** The slowest /health answer while `work` ran, in ms. */
  maxHealthMs: number;
  /** /health requests answered while `work` ran (0 would mean nothing was measured). */
  probes: number;
  /** The longest this process's event loop was held while `work` ran, in ms. */
  loopDelayMs: number;
}

/** Runs `work` against the listening API at `baseUrl` while probing its /health. */
export async function healthDuring<T>(baseUrl: string, work: () => Promise<T>, everyMs = 10): Promise<StallMeasure<T>> {
  let done = false;
  let maxHealthMs = 0;
  let probes = 0;
  const probe = async () => {
    while (!done) {
      const start = performance.now();
      await fetch(`${baseUrl}/health`).then((r) => r.arrayBuffer());
      maxHealthMs = Math.max(maxHealthMs, performance.now() - start);
      probes++;
      await sleep(everyMs);
    }
  };
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const probing = probe();
  try {
    const result = await work();
    return { result, maxHealthMs, probes, loopDelayMs: delay.max / 1e6 };
  } finally {
    done = true;
    delay.disable();
    await probing;
  }
}

/**
 * What /health and the loop show with nothing to do for 2 s (logged): on a loaded machine the OS
 * alone pauses the process, so a test bounds the stall a request adds to this.
 */
export async function idleStallMs(baseUrl: string): Promise<number> {
  const idle = await healthDuring(baseUrl, () => sleep(2000));
  console.log(`idle: /health at most ${idle.maxHealthMs.toFixed(0)} ms, event loop delayed at most ${idle.loopDelayMs.toFixed(0)} ms`);
  return Math.max(idle.maxHealthMs, idle.loopDelayMs);
}
