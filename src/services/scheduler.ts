// Records results into the plan and asks the oracle for more. advance() is idempotent and may be
// called by any process at any time: the commit is conditional on the search's version, so
// concurrent callers never create duplicate or extra trials; the loser re-reads and re-plans.
import { randomUUID } from 'node:crypto';
import { planNext } from '../domain/schedule.js';
import { attemptsPerTrial } from '../domain/trial-attempts.js';
import { isFinalSearchStatus } from '../domain/trial-state.js';
import type { Logger } from '../logger.js';
import { createAlgorithm } from '../oracles/index.js';
import type { TrialQueue } from '../ports/trial-queue.js';
import type { SearchPatch } from '../ports/search-store.js';
import type { Store } from '../ports/store.js';
import { TrialHistory } from './trial-history.js';
import { TrialObjectiveValues } from './trial-objective-values.js';

const MAX_CONFLICTS = 20;

export class Scheduler {
  /** Only what changed is read after each trial (see trial-history.ts). */
  private readonly history: TrialHistory;
  private readonly objectiveValues: TrialObjectiveValues;

  constructor(private readonly store: Store, private readonly queue: TrialQueue, private readonly log: Logger) {
    this.history = new TrialHistory(store);
    this.objectiveValues = new TrialObjectiveValues(store);
  }

  private forget(searchId: string): void {
    this.history.forget(searchId);
    this.objectiveValues.forget(searchId);
  }

  async advance(searchId: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const search = await this.store.getSearch(searchId);
      if (!search || isFinalSearchStatus(search.status)) return this.forget(searchId);
      const trials = await this.objectiveValues.fill(searchId, search.spec, await this.history.read(searchId));
      const plan = planNext(search.spec, trials, createAlgorithm(search.spec.algorithm), { now: new Date(), createdAt: search.createdAt, pending: search.pendingTrials });
      const newTrials = plan.newTrials.map((t, i) => ({ ...t, id: randomUUID(), number: trials.length + i + 1 }));
      const patch: SearchPatch = { bestTrialId: plan.bestTrialId, bestModelId: plan.bestModelId };
      if (plan.pendingTaken > 0) patch.pendingTrials = search.pendingTrials.slice(plan.pendingTaken);
      if (plan.finalStatus) Object.assign(patch, { status: plan.finalStatus, error: plan.error, finishedAt: new Date() });
      const unchanged = newTrials.length === 0 && !plan.finalStatus && plan.bestTrialId === search.bestTrialId && plan.bestModelId === search.bestModelId;
      if (!unchanged && !(await this.store.commitSchedule(searchId, search.version, patch, newTrials))) continue;
      // After the commit the trials are on record: if Redis is unreachable now, reconcile() enqueues
      // them later, so this is not an error for whoever asked to advance.
      const attempts = attemptsPerTrial(search.spec);
      await this.queue.enqueue(newTrials.map((t) => ({ trialId: t.id, searchId, attempts })))
        .catch((err) => this.log.warn({ searchId, err: (err as Error).message }, 'trials recorded but not enqueued yet; reconcile will retry'));
      if (newTrials.length) this.log.info({ searchId, trials: newTrials.map((t) => t.number) }, 'trials scheduled');
      if (plan.finalStatus) {
        this.forget(searchId);
        this.log.info({ searchId, status: plan.finalStatus, bestTrialId: plan.bestTrialId }, 'search finished');
      }
      return;
    }
    throw new Error(`search ${searchId}: too many concurrent scheduling conflicts`);
  }
}
