// Runs one trial from its stored record to a final state: the body of a trial job, executed in a
// child process by the worker. Per-epoch metrics and a checkpoint reach the store as each epoch
// ends, so a retry after a crash resumes at the next epoch; heartbeats show the trial is alive.
// A trial trains its configuration executionsPerTrial times (Keras Tuner's executions), each over
// epochs initialEpoch+1..targetEpochs from fresh weights, or from its parent trial's model when it
// continues one (a hyperband/asha promotion, a retrain); its value is the mean of the executions'
// best objective values (src/domain/trial-executions.ts) and its model the best execution's best
// epoch. This file decides whether and where an attempt starts; TrialRun (trial-run.ts) trains it.
import { searchStopsTrial } from '../domain/after-epoch.js';
import { BUILTIN_CATALOG, type DatasetCatalog } from '../domain/dataset-source.js';
import { pastDeadline } from '../domain/schedule.js';
import type { TrainingEngine } from '../domain/training-port.js';
import { isFinalTrialStatus, trialOutcomeOf } from '../domain/trial-state.js';
import type { Logger } from '../logger.js';
import type { EpochRecord } from '../ports/epoch-store.js';
import type { TrialRecord } from '../ports/search-store.js';
import type { Store } from '../ports/store.js';
import { moveTrial } from './trial-transitions.js';
import { TrialRun, type RunControl, type RunDeps, type RunEnd, type StartPoint } from './trial-run.js';

/**
 * How a call of `run` ended: a trial state it put the trial in, 'handed-back' (see RunControl), or
 * that it left the trial alone: 'already-final' (the trial is gone or has ended: a duplicate
 * delivery), 'lost-start' (another process moved it between the read and the start), or
 * 'lost-finish' (see RunEnd).
 */
export type RunOutcome = RunEnd | 'cancelled' | 'failed' | 'already-final' | 'lost-start';

const NO_CONTROL: RunControl = { stopRequested: () => false, heartbeatIntervalMs: 10_000 };

const metrics = ({ trialId: _, execution: __, ...m }: EpochRecord) => m;

export class TrialRunner {
  private readonly deps: RunDeps;

  /**
   * `datasets`: where the model summary's labels come from (the worker wires uploads in; default:
   * built-ins only). `now`: the clock (tests move it past a deadline).
   */
  constructor(store: Store, engine: TrainingEngine, private readonly log: Logger, datasets: DatasetCatalog = BUILTIN_CATALOG, now: () => Date = () => new Date()) {
    this.deps = { store, engine, datasets, now };
  }

  /** Throws only for errors worth a retry (see trialOutcomeOf); everything else ends the trial. */
  async run(trialId: string, control: RunControl = NO_CONTROL): Promise<RunOutcome> {
    const { store, engine, now } = this.deps;
    const trial = await store.getTrial(trialId);
    if (!trial || isFinalTrialStatus(trial.status)) return 'already-final';
    const search = (await store.getSearch(trial.searchId))!;
    const log = this.log.child({ searchId: search.id, trialId, trial: trial.number });
    // budget.maxDurationSeconds: no trial starts after it (one that already ran may finish).
    const lateStart = trial.source !== 'retrain' && trial.startedAt === null && pastDeadline(search.spec, search.createdAt, now());
    // A cancel requested while an earlier attempt ran (it crashed, or was handed back, before its next epoch end).
    const requested = trial.cancelRequestedAt !== null;
    if (searchStopsTrial(trial.source === 'retrain', search.status) || lateStart || requested) {
      const error = requested ? 'cancelled on request before it could run again' : lateStart ? 'not started: budget.maxDurationSeconds had passed' : undefined;
      await moveTrial(store, trialId, 'cancelled', { finishedAt: now(), ...(error && { error }) });
      return 'cancelled';
    }
    const started = await moveTrial(store, trialId, 'running', {
      attempts: trial.attempts + 1, startedAt: trial.startedAt ?? now(), heartbeatAt: now(), backend: engine.backend, error: null,
    });
    if (!started) return 'lost-start';
    const start = await this.startPoint(trial);
    await this.markSearchRunning(search.id);
    log.info({
      hyperparameters: trial.hyperparameters, attempt: trial.attempts + 1, backend: engine.backend, source: trial.source,
      parentTrialId: trial.parentTrialId, execution: start.execution, resumeAfterEpoch: start.resume?.checkpoint.epoch ?? trial.initialEpoch,
    }, 'trial started');
    try {
      const run = await TrialRun.open(this.deps, { trial, search, start, control, log });
      return await run.train();
    } catch (err) {
      const outcome = trialOutcomeOf(err);
      if (outcome.retry) {
        log.error({ err }, 'trial crashed; it will be retried if attempts remain');
        throw err;
      }
      log.warn({ error: outcome.message }, `trial ${outcome.status}`);
      await moveTrial(store, trialId, outcome.status, { error: outcome.message, finishedAt: now() });
      return outcome.status;
    }
  }

  /**
   * The checkpoint says which execution to continue and after which epoch: earlier executions are
   * done and their epochs stay; this execution's later epochs and later executions' are replaced,
   * never counted twice. A checkpoint at the last epoch marks a finished execution (only the
   * trial's last execution saves none), so a crash between executions never reruns one.
   */
  private async startPoint(trial: TrialRecord): Promise<StartPoint> {
    const { store } = this.deps;
    const checkpoint = await store.getCheckpoint(trial.id);
    if (!checkpoint) {
      await store.deleteEpochs(trial.id);
      return { execution: 0 };
    }
    const execution = checkpoint.execution ?? 0;
    await store.deleteEpochs(trial.id, checkpoint.epoch, execution);
    const epochs = (await store.listEpochs(trial.id)).filter((e) => (e.execution ?? 0) === execution).map(metrics);
    if (epochs.length !== checkpoint.epoch - trial.initialEpoch) {
      // Metrics and checkpoint disagree (should not happen): start this execution over rather than guess.
      await store.deleteEpochs(trial.id, trial.initialEpoch, execution);
      return { execution };
    }
    return { execution, resume: { checkpoint, epochs } };
  }

  /** queued → running on the first trial start; a CAS loop so a concurrent cancel is never overwritten. */
  private async markSearchRunning(searchId: string): Promise<void> {
    const { store } = this.deps;
    for (;;) {
      const s = await store.getSearch(searchId);
      if (!s || s.status !== 'queued') return;
      if (await store.commitSchedule(searchId, s.version, { status: 'running' }, [])) return;
    }
  }
}
