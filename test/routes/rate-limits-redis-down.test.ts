// The rate limits' Redis unreachable or hanging: requests go through uncounted, promptly, never a 500 (the
// choice: failing closed would stop every write, predictions included, that do not need Redis);
// the outage is logged, and counting resumes once Redis is back. The limits count in a private
// redis-server this test kills and restarts; the queue keeps the shared one.
import type { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import type { ModelService } from '../../src/services/model-service.js';
import { startRedis } from '../faults/processes.js';
import { startHarness, waitFor, type Harness } from '../helpers/harness.js';
import { freePort } from '../support/ports.js';
import { hasExited, killTree } from '../support/process-tree.js';

const LIMIT = 2;

describe('rate limits with their Redis down', () => {
  let h: Harness;
  let port: number;
  let redis: ChildProcess | undefined;
  const apps: App[] = [];
  const lines: string[] = [];
  const log = createLogger('info', 'test', new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));

  beforeAll(async () => {
    h = await startHarness('sqlite');
    port = await freePort();
    redis = startRedis(port);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    if (redis && !hasExited(redis)) await killTree(redis);
    await h?.close();
  });

  /** `url` undefined: counting in the process, with no Redis to wait for. */
  async function appCountingIn(url: string | undefined): Promise<App> {
    const rateLimits = { searchesPerMinute: LIMIT, predictPerMinute: LIMIT, writesPerMinute: LIMIT, redis: url === undefined ? undefined : { url, keyPrefix: 'down-test:' } };
    const app = buildApp({ searches: h.core.searches, datasets: h.core.datasets, models: {} as ModelService, health: async () => ({}) }, { logger: log, bodyLimit: 1 << 20, rateLimits });
    apps.push(app);
    await app.ready();
    return app;
  }
  /** Status and milliseconds of one request. */
  async function timed(app: App, method: 'POST' | 'DELETE', url: string): Promise<[number, number]> {
    const started = performance.now();
    const res = await app.inject({ method, url });
    return [res.statusCode, performance.now() - started];
  }

  it('lets requests through uncounted while Redis hangs or is down, and counts again once it is back', async () => {
    const app = await appCountingIn(`redis://127.0.0.1:${port}`);
    const answers = async (method: 'POST' | 'DELETE', url: string, n: number) => {
      const out: [number, number][] = [];
      for (let i = 0; i < n; i++) out.push(await timed(app, method, url));
      return out;
    };
    // Up: the third delete within the minute is refused.
    expect((await answers('DELETE', '/datasets/nope', LIMIT + 1)).map(([s]) => s)).toEqual([404, 404, 429]);

    // Hanging (stopped, its connection open): each count gives up after 500 ms, the request goes through.
    redis!.kill('SIGSTOP');
    const hung = await answers('POST', '/searches/nope/retrain', 3).finally(() => redis!.kill('SIGCONT'));
    console.log(`Redis hanging: ${hung.map(([s, ms]) => `${s} in ${ms.toFixed(0)} ms`).join(', ')}`);
    expect(hung.map(([s]) => s)).toEqual([400, 400, 400]); // no body: the retrain's own 400, not a 429 or a 500
    for (const [, ms] of hung) expect(ms).toBeLessThan(2000);

    await killTree(redis!);
    const down = [...await answers('DELETE', '/datasets/nope', 4), ...await answers('POST', '/searches/nope/cancel', 4)];
    console.log(`Redis down: ${down.map(([s, ms]) => `${s} in ${ms.toFixed(0)} ms`).join(', ')}`);
    expect(down.map(([s]) => s)).toEqual(Array(8).fill(404));
    for (const [, ms] of down) expect(ms).toBeLessThan(1000);
    await waitFor(async () => lines.join(''), (all) => all.includes('rate limits: Redis unreachable, requests go through uncounted'), 5000, 'the outage to be logged');

    redis = startRedis(port); // empty, like a Redis restarted without persistence
    const back = await waitFor(() => answers('POST', '/searches/nope/cancel', LIMIT + 1), (r) => r.some(([s]) => s === 429), 20_000, 'counting to resume');
    expect(back.map(([s]) => s).filter((s) => s !== 404 && s !== 429)).toEqual([]);
    expect(lines.join('')).toContain('rate limits: Redis is back, requests are counted again');
  });

  it('starts at once when Redis refuses connections, and serves requests', async () => {
    const readyMs = async (url: string | undefined) => {
      const started = performance.now();
      const app = await appCountingIn(url);
      return [performance.now() - started, app] as const;
    };
    const [baselineMs] = await readyMs(undefined);
    const [startMs, app] = await readyMs(`redis://127.0.0.1:${await freePort()}`);
    const [status, ms] = await timed(app, 'POST', '/searches/nope/cancel');
    console.log(`Redis absent at start: ready in ${startMs.toFixed(0)} ms (${baselineMs.toFixed(0)} ms with no Redis to wait for), a request ${status} in ${ms.toFixed(0)} ms`);
    // Waiting for a Redis that hangs would add 1000 ms.
    expect(startMs - baselineMs).toBeLessThan(600);
    expect(status).toBe(404);
  });
});
