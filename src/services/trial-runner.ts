// Runs one trial from its stored record to a final state: the body of a trial job, executed in a
// child process by the worker. Per-epoch metrics reach the store as each epoch ends.
import { randomUUID } from 'node:crypto';
import { datasetInfo } from '../domain/datasets.js';
import { TrialCancelledError } from '../domain/errors.js';
import { describeArchitecture, type ModelSummary } from '../domain/model-summary.js';
import { resolveTemplate } from '../domain/model-template.js';
import type { TrainingEngine } from '../domain/training-port.js';
import { isFinalTrialStatus, trialOutcomeOf } from '../domain/trial-state.js';
import type { Logger } from '../logger.js';
import type { SearchRecord, Store, TrialRecord } from '../store/store.js';
import { moveTrial } from './trial-transitions.js';

export type RunOutcome = 'completed' | 'cancelled' | 'failed' | 'skipped';

export class TrialRunner {
  constructor(private readonly store: Store, private readonly engine: TrainingEngine, private readonly log: Logger) {}

  /** Throws only for errors worth a retry (see trialOutcomeOf); everything else ends the trial. */
  async run(trialId: string): Promise<RunOutcome> {
    const trial = await this.store.getTrial(trialId);
    if (!trial || isFinalTrialStatus(trial.status)) return 'skipped'; // a duplicate delivery
    const search = (await this.store.getSearch(trial.searchId))!;
    const log = this.log.child({ searchId: search.id, trialId, trial: trial.number });
    if (search.status === 'cancelled') {
      await moveTrial(this.store, trialId, 'cancelled', { finishedAt: new Date() });
      return 'cancelled';
    }
    const started = await moveTrial(this.store, trialId, 'running', {
      attempts: trial.attempts + 1, startedAt: new Date(), heartbeatAt: new Date(), backend: this.engine.backend, error: null,
    });
    if (!started) return 'skipped';
    // A retry starts the trial over; its epochs are replaced, never counted twice.
    await this.store.deleteEpochs(trialId);
    await this.markSearchRunning(search.id);
    log.info({ hyperparameters: trial.hyperparameters, attempt: trial.attempts + 1, backend: this.engine.backend }, 'trial started');
    try {
      return await this.train(trial, search, log);
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

  private async train(trial: TrialRecord, search: SearchRecord, log: Logger): Promise<RunOutcome> {
    const { spec } = search;
    const model = resolveTemplate(spec.model, trial.hyperparameters);
    let cancelled = false;
    const result = await this.engine.train({
      model, dataset: spec.dataset, training: spec.training,
      onEpochEnd: async (m) => {
        await this.store.recordEpoch({ trialId: trial.id, ...m });
        await this.store.updateTrialIf(trial.id, ['running'], { heartbeatAt: new Date() });
        log.info({ ...m }, 'epoch done');
        cancelled = (await this.store.getSearch(search.id))?.status === 'cancelled';
        return cancelled ? 'stop' : 'continue';
      },
    });
    if (cancelled) throw new TrialCancelledError(`search '${search.id}' was cancelled`);
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
