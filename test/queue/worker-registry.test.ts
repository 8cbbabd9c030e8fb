// The live-worker list behind GET /health, on the real Redis.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerRegistry, type WorkerInfo } from '../../src/queue/worker-registry.js';

const registry = new WorkerRegistry(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `test-workers-${randomUUID()}`);
afterAll(() => registry.close());

const STARTED = new Date().toISOString();
const info = (id: string): WorkerInfo => ({
  id, backend: 'wasm', threads: 2, detail: 'XNNPACK SIMD', concurrency: 1, startedAt: STARTED,
  probe: [{ name: 'native', reason: 'not built' }, { name: 'wasm', samplesPerSecond: 300 }],
});

describe('worker registry', () => {
  it('lists announced workers until they leave', async () => {
    const stopA = await registry.keepAnnounced(info('host:2'), (e) => { throw e; });
    await registry.announce(info('host:1'));
    await expect.poll(() => registry.list()).toHaveLength(2);
    expect((await registry.list()).map((w) => w.id)).toEqual(['host:1', 'host:2']);
    expect((await registry.list())[0]).toEqual(info('host:1'));
    await stopA();
    await registry.remove('host:1');
    expect(await registry.list()).toEqual([]);
  });

  it('drops a worker that stops refreshing (a crash) after its time-to-live', async () => {
    const shortLived = new WorkerRegistry(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `test-workers-${randomUUID()}`, 1);
    await shortLived.announce(info('host:9'));
    expect(await shortLived.list()).toHaveLength(1);
    await expect.poll(() => shortLived.list(), { timeout: 3000, interval: 200 }).toEqual([]);
    await shortLived.close();
  });
});
