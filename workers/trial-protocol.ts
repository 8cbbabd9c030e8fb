// What a worker and its trial children say to each other (run-child.ts, trial-child.ts): apart
// from run-child.ts, so the trial child's bundle does not take in the worker's side (esbuild).

/** A trial child's exit code when it stopped at an epoch boundary on request and handed the trial back. */
export const HANDED_BACK_EXIT_CODE = 75;
/** The IPC message that asks a trial child to stop at its next epoch boundary. */
export const STOP_MESSAGE = 'stop';
/** The IPC message that gives a spare trial child its trial. */
export interface TrialMessage { trial: string }
/** A spare trial child's argv[2]: it waits for a TrialMessage; argv[3], if any, is the trial whose data it reads ahead. */
export const SPARE_ARG = '--spare';
/** What a spare trial child says once it listens for its trial, its backend is up, its store open and its dataset read ahead. */
export const READY_MESSAGE = 'ready';
/**
 * What a trial child says once its trial's outcome is recorded, before it closes its store and
 * exits: the code it will exit with. The worker goes on at once (closing and exiting took ~45 ms
 * of every trial); the process still exits, and is killed if it does not.
 */
export interface FinishedMessage { finished: number }
