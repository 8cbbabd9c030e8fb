// Which workers are alive and what they train on, for GET /health. Each worker refreshes a key
// with a time-to-live, so a worker that dies (even by kill -9) drops out of the list on its own.
import { Redis } from 'ioredis';

export interface WorkerInfo {
  id: string; // host:pid
  backend: string;
  threads: number | null;
  detail: string;
  concurrency: number;
  startedAt: string;
  /** What the start-up probe measured, samples/s per backend (or why one was not measured). */
  probe: { name: string; samplesPerSecond?: number; reason?: string }[];
}

export class WorkerRegistry {
  private readonly redis: Redis;

  /** ttlSeconds: how long a worker that stopped refreshing (crashed) stays listed. */
  constructor(redisUrl: string, private readonly prefix: string, private readonly ttlSeconds = 60) {
    // Fails fast rather than queueing commands forever while Redis is down: /health must answer.
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  }

  private key(id: string): string {
    return `${this.prefix}:workers:${id}`;
  }

  async announce(info: WorkerInfo): Promise<void> {
    const redis = this.redis;
    await redis.set(this.key(info.id), JSON.stringify(info), 'EX', this.ttlSeconds);
  }

  async remove(id: string): Promise<void> {
    const redis = this.redis;
    await redis.del(this.key(id));
  }

  async list(): Promise<WorkerInfo[]> {
    const redis = this.redis;
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', this.key('*'), 'COUNT', 100);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await redis.mget(...keys);
    return values.flatMap((v) => (v ? [JSON.parse(v) as WorkerInfo] : [])).sort((a, b) => a.id.localeCompare(b.id));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  /** Announces `info` now and keeps it announced until the returned function is called. */
  async keepAnnounced(info: WorkerInfo, onError: (err: Error) => void): Promise<() => Promise<void>> {
    const refresh = () => this.announce(info).catch(onError);
    await refresh();
    const timer = setInterval(refresh, (this.ttlSeconds * 1000) / 3);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.remove(info.id).catch(onError);
    };
  }
}
