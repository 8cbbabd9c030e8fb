// The service's own components driven in one process, without Redis and without a process per
// trial: the real SearchService (validation), Scheduler (planNext, the algorithms), TrialRunner
// and training engine, over a real PrismaStore. Only the queue is replaced, by a FIFO of trial ids,
// and trials run one at a time, so every search sees its trials in a deterministic order.
import { isFinalSearchStatus } from '../src/domain/trial-state.js';
import type { SearchRequest, SearchLimits } from '../src/domain/search-spec.js';
import type { TrainingEngine } from '../src/domain/training-port.js';
import type { Logger } from '../src/logger.js';
import type { TrialJob, TrialQueue } from '../src/ports/trial-queue.js';
import { Scheduler } from '../src/services/scheduler.js';
import { SearchService } from '../src/services/search-service.js';
import { TrialRunner, type RunOutcome } from '../src/services/trial-runner.js';
import type { SearchRecord, TrialWithEpochs } from '../src/ports/search-store.js';
import type { Store } from '../src/ports/store.js';

/** What the Scheduler and SearchService call on a TrialQueue, kept in memory. */
export class ArrayTrialQueue {
  readonly pending: string[] = [];

  async enqueue(jobs: TrialJob[]): Promise<void> {
    for (const { trialId } of jobs) if (!this.pending.includes(trialId)) this.pending.push(trialId);
  }

  async requeue(job: TrialJob): Promise<void> {
    await this.enqueue([job]);
  }

  async removeIfIdle(trialId: string): Promise<void> {
    const at = this.pending.indexOf(trialId);
    if (at >= 0) this.pending.splice(at, 1);
  }

  async counts(): Promise<Record<string, number>> {
    return { waiting: this.pending.length, active: 0, delayed: 0, failed: 0, completed: 0 };
  }

  async close(): Promise<void> {}

  /** TrialQueue is a class with private state, so a stand-in has to be cast to it. */
  asTrialQueue(): TrialQueue {
    return this as unknown as TrialQueue;
  }
}

export const BENCH_LIMITS: SearchLimits = { maxTrialsPerSearch: 1000, maxEpochs: 500, maxParallelTrials: 64, maxParams: 50_000_000, maxBatchMemoryMb: 4096 };

export interface TrialDone {
  trial: TrialWithEpochs;
  outcome: RunOutcome;
  /** Epochs all trials of the search have trained so far (this one included). */
  epochsSoFar: number;
  wallMs: number;
}

export interface SearchRun {
  search: SearchRecord;
  trials: TrialWithEpochs[];
  wallMs: number;
  /** CPU time of this process over the search (every thread): less sensitive to other load than wall time. */
  cpuMs: number;
}

/** Epochs a trial trained itself: those after the epoch it continued from. */
export const trainedEpochs = (t: TrialWithEpochs) => t.epochs.filter((e) => e.epoch > t.initialEpoch);

/** Creates the search and runs it to a final status: pop a trial, run it, advance, repeat. */
export async function runSearch(
  deps: { store: Store; engine: TrainingEngine; log: Logger },
  request: SearchRequest,
  onTrial?: (done: TrialDone) => void,
): Promise<SearchRun> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const queue = new ArrayTrialQueue();
  const scheduler = new Scheduler(deps.store, queue.asTrialQueue(), deps.log);
  const service = new SearchService(deps.store, scheduler, queue.asTrialQueue(), BENCH_LIMITS);
  const runner = new TrialRunner(deps.store, deps.engine, deps.log);
  const { id: searchId } = await service.create(request);
  let epochsSoFar = 0;
  for (;;) {
    const trialId = queue.pending.shift();
    if (!trialId) {
      await scheduler.advance(searchId);
      if (queue.pending.length > 0) continue;
      break; // final, or stuck: the caller reports the status either way
    }
    const trialStart = performance.now();
    let outcome: RunOutcome;
    try {
      outcome = await runner.run(trialId);
    } catch (err) {
      // In a worker BullMQ would retry; here a throw is a bug worth stopping the benchmark for.
      throw new Error(`search ${request.name}: trial ${trialId} crashed: ${(err as Error).stack ?? err}`);
    }
    await scheduler.advance(searchId);
    // Reading every trial back after each one is quadratic: the replay, which asks nothing, skips it.
    if (!onTrial) continue;
    const trial = (await deps.store.listTrialsWithEpochs(searchId)).find((t) => t.id === trialId)!;
    epochsSoFar += trainedEpochs(trial).length;
    onTrial({ trial, outcome, epochsSoFar, wallMs: performance.now() - trialStart });
  }
  const search = (await deps.store.getSearch(searchId))!;
  if (!isFinalSearchStatus(search.status)) throw new Error(`search ${request.name} stopped with nothing queued while '${search.status}'`);
  const cpu = process.cpuUsage(cpuStart);
  return { search, trials: await deps.store.listTrialsWithEpochs(searchId), wallMs: performance.now() - start, cpuMs: (cpu.user + cpu.system) / 1000 };
}
