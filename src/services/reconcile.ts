// Start-up reconciliation: the database is the record and Redis only the work list, so after any
// restart (API, worker or a Redis that lost its data) we re-enqueue what the record says is owed
// and let the scheduler catch up on every unfinished search.
import type { Logger } from '../logger.js';
import type { TrialQueue } from '../queue/trial-queue.js';
import type { Store } from '../store/store.js';
import type { Scheduler } from './scheduler.js';

export async function reconcile(store: Store, queue: TrialQueue, scheduler: Scheduler, log: Logger): Promise<void> {
  const owed = await store.findTrials(['waiting', 'running']);
  const missing = [];
  for (const t of owed) if (!(await queue.has(t.id))) missing.push({ trialId: t.id, searchId: t.searchId });
  // Same job id as before: if another process enqueues concurrently, BullMQ keeps one job.
  await queue.enqueue(missing);
  const searches = (await store.listSearches()).filter((s) => s.status === 'queued' || s.status === 'running');
  for (const s of searches) await scheduler.advance(s.id);
  if (missing.length || searches.length) log.info({ requeued: missing.length, searches: searches.length }, 'reconciled with the queue');
}
