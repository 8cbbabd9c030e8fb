// Start-up reconciliation: the database is the record and Redis only the work list, so after any
// restart (API, worker or a Redis that lost its data) we re-enqueue what the record says is owed
// and let the scheduler catch up on every unfinished search.
import type { Logger } from '../logger.js';
import type { TrialQueue } from '../queue/trial-queue.js';
import type { Store } from '../store/store.js';
import type { Scheduler } from './scheduler.js';
import { failTrial } from './trial-transitions.js';

/**
 * `includeRunning` re-enqueues running trials whose job is gone too: right at start-up, when no
 * worker of ours can still hold them. Periodic passes leave them to heartbeat recovery.
 */
export async function reconcile(store: Store, queue: TrialQueue, scheduler: Scheduler, log: Logger, includeRunning = true): Promise<void> {
  const owed = await store.findTrials(includeRunning ? ['waiting', 'running'] : ['waiting']);
  const missing = [];
  for (const t of owed) {
    const job = await queue.inspect(t.id);
    if (!job) missing.push({ trialId: t.id, searchId: t.searchId });
    // Its job failed for good while no worker could record it (a crash at the wrong moment).
    else if (job.state === 'failed') await failTrial(store, t.id, `trial job failed: ${job.failedReason ?? 'unknown reason'}`);
  }
  // Same job id as before: if another process enqueues concurrently, BullMQ keeps one job.
  await queue.enqueue(missing);
  const searches = (await store.listSearches()).filter((s) => s.status === 'queued' || s.status === 'running');
  for (const s of searches) await scheduler.advance(s.id);
  if (missing.length || searches.length) log.info({ requeued: missing.length, searches: searches.length }, 'reconciled with the queue');
}
