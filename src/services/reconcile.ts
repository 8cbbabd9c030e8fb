// Reconciliation: the database is the record and Redis only the work list, so at start and then
// periodically we make the work list match the record: trials it says are waiting get their job
// back (a Redis restart loses every job), and running trials nobody is running any more (no
// heartbeat, no live job lock) are recovered. A trial a live worker holds is never touched, so a
// restarting API or worker cannot start a second run of it.
import { attemptsPerTrial, failedForGood } from '../domain/trial-attempts.js';
import type { Logger } from '../logger.js';
import type { TrialQueue } from '../ports/trial-queue.js';
import type { TrialRecord } from '../ports/search-store.js';
import type { Store } from '../ports/store.js';
import type { Scheduler } from './scheduler.js';
import { failTrial, moveTrial } from './trial-transitions.js';

export interface ReconcileOptions {
  /** A running trial whose heartbeat is older than this, and whose job no worker holds, has lost its run. */
  trialStaleMs: number;
}

const DEFAULTS: ReconcileOptions = { trialStaleMs: 120_000 };
const QUEUED = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

export async function reconcile(store: Store, queue: TrialQueue, scheduler: Scheduler, log: Logger, options: Partial<ReconcileOptions> = {}): Promise<void> {
  const { trialStaleMs } = { ...DEFAULTS, ...options };
  const attemptsBySearch = new Map<string, number>();
  const attemptsOf = async (t: TrialRecord): Promise<number> => {
    if (!attemptsBySearch.has(t.searchId)) {
      // A trial's search is on record: searches are never deleted, and their trials would go with them.
      const search = (await store.getSearch(t.searchId))!;
      attemptsBySearch.set(t.searchId, attemptsPerTrial(search.spec));
    }
    return attemptsBySearch.get(t.searchId)!;
  };
  let requeued = 0;
  let recovered = 0;
  // Every search's trials, finished searches' included: a retrain of a completed search's best
  // model waits and runs after its search ended, and is re-enqueued or recovered like any trial.
  for (const t of await store.findTrials(['waiting', 'running'])) {
    const job = await queue.inspect(t.id);
    if (t.status === 'waiting') {
      // Its job failed for good while no worker could record it (a crash at the wrong moment).
      if (job?.state === 'failed') await failTrial(store, t.id, `trial job failed: ${job.failedReason ?? 'unknown reason'}`);
      else if (!job || job.state === 'completed') {
        // Same job id as before: if another process enqueues concurrently, BullMQ keeps one job.
        await queue.requeue({ trialId: t.id, searchId: t.searchId, attempts: await attemptsOf(t) });
        requeued++;
      }
      continue;
    }
    const beat = (t.heartbeatAt ?? t.startedAt ?? t.createdAt).getTime();
    if (Date.now() - beat < trialStaleMs) continue; // alive, or not long enough silent to tell
    // Queued again (BullMQ's stalled check already moved it) or still active: BullMQ owns it, and
    // an active job whose worker died is moved back by any worker's stalled check once its lock expires.
    if (job && (QUEUED.has(job.state) || job.state === 'active')) continue;
    if (await queue.isHeld(t.id)) continue;
    const attempts = await attemptsOf(t);
    const silentFor = Math.round((Date.now() - beat) / 1000);
    if (t.cancelRequestedAt) {
      // A user cancelled it: its lost run ends it here instead of a retry that would stop at once.
      await moveTrial(store, t.id, 'cancelled', { finishedAt: new Date(), error: `cancelled on request; its worker was lost (no heartbeat for ${silentFor}s)` }, 'running');
    } else if (failedForGood({ made: t.attempts, allowed: attempts })) {
      await failTrial(store, t.id, `trial lost its worker (no heartbeat for ${silentFor}s) after ${t.attempts} of ${attempts} attempt(s)`);
    } else if (await moveTrial(store, t.id, 'waiting', { heartbeatAt: null }, 'running')) {
      // The lost run counted as an attempt when it started; the retry resumes from its checkpoint.
      await queue.requeue({ trialId: t.id, searchId: t.searchId, attempts });
    }
    recovered++;
    log.warn({ searchId: t.searchId, trialId: t.id, silentForS: silentFor, attempts: t.attempts }, 'recovered a running trial without a live worker');
  }
  const unfinished = await advanceUnfinished(store, scheduler);
  if (requeued || recovered) log.info({ requeued, recovered, searches: unfinished }, 'reconciled with the queue');
}

/**
 * Lets every unfinished search plan again. Trial ends trigger planning; this catches what no trial
 * end announces (a time budget running out, a process that died between commit and enqueue).
 */
export async function advanceUnfinished(store: Store, scheduler: Scheduler): Promise<number> {
  const unfinished = await store.listSearches({ statuses: ['queued', 'running'] });
  for (const s of unfinished) await scheduler.advance(s.id);
  return unfinished.length;
}
