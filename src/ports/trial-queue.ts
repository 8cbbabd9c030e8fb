// The work list as the services see it: which trial to run next. The database is the record; a
// job only says "run trial X" (src/queue/trial-queue.ts implements this over BullMQ).

export interface TrialJob {
  trialId: string;
  searchId: string;
}

/** A job to add. `attempts`: runs of the trial (attemptsPerTrial of its search). */
export type TrialJobRequest = TrialJob & { attempts: number };

export interface TrialQueue {
  /** Adds jobs; a trial that already has one keeps it (the job id is the trial id). */
  enqueue(jobs: TrialJobRequest[]): Promise<void>;
  /** Enqueues the trial again after its run was lost; a job still waiting or active is left as it is. */
  requeue(job: TrialJobRequest): Promise<void>;
  /** The job's state and failure reason, or null when the queue has no job for this trial. */
  inspect(trialId: string): Promise<{ state: string; failedReason?: string } | null>;
  /** True while a live worker holds the trial's job. */
  isHeld(trialId: string): Promise<boolean>;
  /** Drops a trial's job unless a worker holds it (then the worker sees the cancel at an epoch end). */
  removeIfIdle(trialId: string): Promise<void>;
  /** Jobs by state; doubles as the queue's health probe. */
  counts(): Promise<Record<string, number>>;
}
