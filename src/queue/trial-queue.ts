// The work list over BullMQ (the TrialQueue port). The database is the record; a job only says
// "run trial X", and its job id is the trial id, so enqueueing twice (a retry, a reconcile after a
// restart) never creates a second trial.
import { Queue, type ConnectionOptions } from 'bullmq';
import type { TrialJob, TrialJobRequest, TrialQueue } from '../ports/trial-queue.js';

export const TRIAL_QUEUE = 'trials';

export function redisConnection(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    // Workers block on Redis; BullMQ requires this to be null for them.
    maxRetriesPerRequest: null,
  };
}

export class BullTrialQueue implements TrialQueue {
  readonly queue: Queue<TrialJob>;

  constructor(redisUrl: string, prefix: string) {
    this.queue = new Queue<TrialJob>(TRIAL_QUEUE, { connection: redisConnection(redisUrl), prefix });
  }

  async enqueue(jobs: TrialJobRequest[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(jobs.map(({ attempts, ...data }) => ({
      name: 'trial',
      data,
      opts: {
        jobId: data.trialId,
        attempts,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { age: 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    })));
  }

  /** The job's state and failure reason, or null when Redis has no job for this trial. */
  async inspect(trialId: string): Promise<{ state: string; failedReason?: string } | null> {
    const job = await this.queue.getJob(trialId);
    return job ? { state: await job.getState(), failedReason: job.failedReason } : null;
  }

  /**
   * True while a live worker holds the trial's job: active, with its lock still renewed. A worker
   * killed mid-trial leaves the job active until its lock expires (lockDuration).
   */
  async isHeld(trialId: string): Promise<boolean> {
    const job = await this.queue.getJob(trialId);
    if (!job || !(await job.isActive())) return false;
    const client = await this.queue.getBackend().client;
    return (await client.get(this.queue.toKey(`${trialId}:lock`))) !== null;
  }

  /**
   * Enqueues the trial again after its run was lost. A finished job under the same id would make
   * BullMQ ignore the add, so it goes first; a job still waiting or delayed is left as it is.
   */
  async requeue(job: TrialJobRequest): Promise<void> {
    const existing = await this.queue.getJob(job.trialId);
    if (existing) {
      const state = await existing.getState();
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'active') return;
      await existing.remove();
    }
    await this.enqueue([job]);
  }

  /** Drops a trial's job unless a worker holds it (then the worker sees the cancel at an epoch end). */
  async removeIfIdle(trialId: string): Promise<void> {
    const job = await this.queue.getJob(trialId);
    if (job && !(await job.isActive())) await job.remove().catch(() => undefined);
  }

  /** Jobs by state; doubles as the Redis health probe. */
  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
