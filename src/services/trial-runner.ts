// Runs one trial from its stored record to a final state: the body of a trial job, executed in a
// child process by the worker. Per-epoch metrics and a checkpoint reach the store as each epoch
// ends, so a retry after a crash resumes at the next epoch; heartbeats show the trial is alive.
import { randomUUID } from 'node:crypto';
import { datasetInfo } from '../domain/datasets.js';
import { TrialCancelledError } from '../domain/errors.js';
import { describeArchitecture, type ModelSummary } from '../domain/model-summary.js';
import { resolveTemplate } from '../domain/model-template.js';
import type { EpochMetrics, TrainingEngine, TrainRequest } from '../domain/training-port.js';
import { isFinalSearchStatus, isFinalTrialStatus, trialOutcomeOf } from '../domain/trial-state.js';
import type { Logger } from '../logger.js';
import type { SearchRecord, Store, TrialRecord } from '../store/store.js';
import { moveTrial } from './trial-transitions.js';

export type RunOutcome = 'completed' | 'cancelled' | 'failed' | 'skipped' | 'handed-back';

export interface RunControl {
  /** True once the worker asked this run to stop (shutdown): it hands the trial back at the next epoch boundary. */
  stopRequested(): boolean;
  /** Least time between two heartbeats; checked after every batch, as an epoch may take minutes. */
  heartbeatIntervalMs: number;
}

const NO_CONTROL: RunControl = { stopRequested: () => false, heartbeatIntervalMs: 10_000 };

// Training blocks the event loop between batches; IPC messages (a stop request) are read only
// when the loop gets a turn, which this gives it at each epoch boundary.
const yieldToEventLoop = () => new Promise((r) => setImmediate(r));

export class TrialRunner {
  constructor(private readonly store: Store, private readonly engine: TrainingEngine, private readonly log: Logger) {}

  /** Throws only for errors worth a retry (see trialOutcomeOf); everything else ends the trial. */
  async run(trialId: string, control: RunControl = NO_CONTROL): Promise<RunOutcome> {
    const trial = await this.store.getTrial(trialId);
    if (!trial || isFinalTrialStatus(trial.status)) return 'skipped'; // a duplicate delivery
    const search = (await this.store.getSearch(trial.searchId))!;
    const log = this.log.child({ searchId: search.id, trialId, trial: trial.number });
    if (isFinalSearchStatus(search.status)) {
      await moveTrial(this.store, trialId, 'cancelled', { finishedAt: new Date() });
      return 'cancelled';
    }
    const started = await moveTrial(this.store, trialId, 'running', {
      attempts: trial.attempts + 1, startedAt: trial.startedAt ?? new Date(), heartbeatAt: new Date(), backend: this.engine.backend, error: null,
    });
    if (!started) return 'skipped';
    const resume = await this.resumePoint(trial);
    await this.markSearchRunning(search.id);
    log.info({ hyperparameters: trial.hyperparameters, attempt: trial.attempts + 1, backend: this.engine.backend, resumeAfterEpoch: resume?.checkpoint.epoch ?? 0 }, 'trial started');
    try {
      return await this.train(trial, search, resume, control, log);
    } catch (err) {
      const outcome = trialOutcomeOf(err);
      if (outcome.retry) {
        log.error({ err }, 'trial crashed; it will be retried if attempts remain');
        throw err;
      }
      log.warn({ error: outcome.message }, `trial ${outcome.status}`);
      await moveTrial(this.store, trialId, outcome.status, { error: outcome.message, finishedAt: new Date() });
      return outcome.status;
    }
  }

  /** Epochs 1..k of an earlier run stay recorded when its checkpoint holds epoch k; later ones are replaced, never counted twice. */
  private async resumePoint(trial: TrialRecord): Promise<TrainRequest['resume']> {
    const checkpoint = await this.store.getCheckpoint(trial.id);
    await this.store.deleteEpochs(trial.id, checkpoint?.epoch);
    if (!checkpoint) return undefined;
    const epochs: EpochMetrics[] = (await this.store.listEpochs(trial.id)).map(({ trialId: _, ...m }) => m);
    if (epochs.length !== checkpoint.epoch) {
      // Metrics and checkpoint disagree (should not happen): start over rather than guess.
      await this.store.deleteEpochs(trial.id);
      return undefined;
    }
    return { checkpoint, epochs };
  }

  private async train(trial: TrialRecord, search: SearchRecord, resume: TrainRequest['resume'], control: RunControl, log: Logger): Promise<RunOutcome> {
    const { spec } = search;
    const model = resolveTemplate(spec.model, trial.hyperparameters);
    let ended: string | null = null; // the search's final status, seen at an epoch end
    let handBack = false;
    let lastBeat = Date.now();
    const beat = async () => {
      lastBeat = Date.now();
      await this.store.updateTrialIf(trial.id, ['running'], { heartbeatAt: new Date() });
      await yieldToEventLoop(); // lets a stop request or a lost parent be noticed mid-epoch
    };
    const result = await this.engine.train({
      model, dataset: spec.dataset, training: spec.training, resume,
      onBatchEnd: async () => {
        if (Date.now() - lastBeat >= control.heartbeatIntervalMs) await beat();
      },
      onEpochEnd: async (m, checkpoint) => {
        // Metrics first: a crash before the checkpoint is saved replays this epoch, which overwrites.
        await this.store.recordEpoch({ trialId: trial.id, ...m });
        if (m.epoch < spec.training.epochs) await this.store.saveCheckpoint({ trialId: trial.id, ...(await checkpoint()) });
        await beat();
        log.info({ ...m }, 'epoch done');
        const status = (await this.store.getSearch(search.id))?.status;
        if (status && isFinalSearchStatus(status)) ended = status;
        handBack = !ended && control.stopRequested() && m.epoch < spec.training.epochs;
        return ended || handBack ? 'stop' : 'continue';
      },
    });
    if (ended) throw new TrialCancelledError(`search '${search.id}' was ${ended}`);
    if (handBack) {
      // Not a failed attempt: the next run resumes from the checkpoint without counting this one.
      await moveTrial(this.store, trial.id, 'waiting', { attempts: trial.attempts, heartbeatAt: null }, 'running');
      log.info({ epochs: result.epochs.length }, 'trial handed back at an epoch boundary');
      return 'handed-back';
    }
    if (!result.best || !result.artifact) throw new Error('training returned no result');
    const data = datasetInfo(spec.dataset.id)!;
    const summary: ModelSummary = {
      ...describeArchitecture(model),
      hyperparameters: trial.hyperparameters,
      metrics: { valAccuracy: result.best.valAccuracy, bestEpoch: result.best.epoch, epochs: result.epochs.length },
      dataset: { id: data.id, labels: data.labels, pixelMax: data.pixelMax },
    };
    const saved = await this.store.saveModel({ id: randomUUID(), searchId: search.id, trialId: trial.id, summary, artifact: result.artifact });
    const done = await moveTrial(this.store, trial.id, 'completed', { valAccuracy: result.best.valAccuracy, finishedAt: new Date() }, 'running');
    if (!done) return 'skipped';
    log.info({ valAccuracy: result.best.valAccuracy, bestEpoch: result.best.epoch, modelId: saved.id, phases: result.phases }, 'trial completed');
    return 'completed';
  }

  /** queued → running on the first trial start; a CAS loop so a concurrent cancel is never overwritten. */
  private async markSearchRunning(searchId: string): Promise<void> {
    for (;;) {
      const s = await this.store.getSearch(searchId);
      if (!s || s.status !== 'queued') return;
      if (await this.store.commitSchedule(searchId, s.version, { status: 'running' }, [])) return;
    }
  }
}
