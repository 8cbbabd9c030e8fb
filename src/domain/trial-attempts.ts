// How many runs a trial gets, and when one whose run ended without a result has failed for good.
// Every run is counted when it starts (trial.attempts; BullMQ's attemptsMade for a job), so a run
// lost with its worker counts like a crash; a run handed back at an epoch boundary is uncounted
// again (trial-runner.ts).
import type { SearchSpec } from './search-spec.js';

/** Runs a trial of this search gets: the first and budget.maxRetriesPerTrial retries after a crash. */
export function attemptsPerTrial(spec: SearchSpec): number {
  return spec.budget.maxRetriesPerTrial + 1;
}

/** Runs of one trial: started so far (the one that just ended or was lost included), and allowed. */
export interface TrialRuns {
  made: number;
  allowed: number;
}

/**
 * True once a trial whose last run crashed, was lost or whose job failed has had every run it is
 * allowed: it ends `failed` instead of running again.
 */
export function failedForGood({ made, allowed }: TrialRuns): boolean {
  return made >= allowed;
}
