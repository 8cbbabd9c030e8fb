// Runs one trial from its stored record to a final state: the body of a trial job, executed in a
// child process by the worker. Per-epoch metrics and a checkpoint reach the store as each epoch
// ends, so a retry after a crash resumes at the next epoch; heartbeats show the trial is alive.
// A trial trains its configuration executionsPerTrial times (Keras Tuner's executions), each over
// epochs initialEpoch+1..targetEpochs from fresh weights, or from its parent trial's model when it
// continues one (a hyperband/asha promotion, a retrain); its value is the mean of the executions'
// best objective values and its model the best execution's best epoch.
import { randomUUID } from 'node:crypto';
import { BUILTIN_CATALOG, type DatasetCatalog } from '../domain/dataset-source.js';
import { TrainingError, TrialCancelledError } from '../domain/errors.js';
import { describeArchitecture, type ModelSummary } from '../domain/model-summary.js';
import { resolveTemplate, type ConcreteModel } from '../domain/model-template.js';
import { bestEpoch, isBetter, metricValue } from '../domain/objective.js';
import { pastDeadline, trialEpochs } from '../domain/schedule.js';
import type { EpochMetrics, TrainingEngine, TrainRequest } from '../domain/training-port.js';
import { isFinalSearchStatus, isFinalTrialStatus, trialOutcomeOf, type SearchStatus } from '../domain/trial-state.js';
import type { Logger } from '../logger.js';
import type { EpochRecord } from '../ports/epoch-store.js';
import type { SearchRecord, TrialRecord } from '../ports/search-store.js';
import type { Store } from '../ports/store.js';
import { pruneVerdict } from './trial-pruning.js';
import { moveTrial } from './trial-transitions.js';
import type { ModelArtifact } from '../domain/model-artifact.js';

export type RunOutcome = 'completed' | 'pruned' | 'cancelled' | 'failed' | 'skipped' | 'handed-back';

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

/** A retrain continues a finished search, so only a cancelled search stops it; any other trial ends with its search. */
const stopsTrial = (trial: TrialRecord, status: SearchStatus) => (trial.source === 'retrain' ? status === 'cancelled' : isFinalSearchStatus(status));

const metrics = ({ trialId: _, execution: __, ...m }: EpochRecord): EpochMetrics => m;
const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

/** Where a run starts: executions before `execution` are done (their epochs stay); `resume` continues `execution`. */
interface StartPoint { execution: number; resume?: TrainRequest['resume'] }
/** One execution's best epoch, and the last epoch it trained. */
interface ExecutionBest { execution: number; best: EpochMetrics; lastEpoch: number }
/** The model a continuation starts from. */
interface ParentModel { id: string; artifact: ModelArtifact }

export class TrialRunner {
  /** `datasets`: where the model summary's labels come from (the worker wires uploads in; default: built-ins only). */
  constructor(private readonly store: Store, private readonly engine: TrainingEngine, private readonly log: Logger, private readonly datasets: DatasetCatalog = BUILTIN_CATALOG) {}

  /** Throws only for errors worth a retry (see trialOutcomeOf); everything else ends the trial. */
  async run(trialId: string, control: RunControl = NO_CONTROL): Promise<RunOutcome> {
    const trial = await this.store.getTrial(trialId);
    if (!trial || isFinalTrialStatus(trial.status)) return 'skipped'; // a duplicate delivery
    const search = (await this.store.getSearch(trial.searchId))!;
    const log = this.log.child({ searchId: search.id, trialId, trial: trial.number });
    // budget.maxDurationSeconds: no trial starts after it (one that already ran may finish).
    const lateStart = trial.source !== 'retrain' && trial.startedAt === null && pastDeadline(search.spec, search.createdAt, new Date());
    if (stopsTrial(trial, search.status) || lateStart) {
      await moveTrial(this.store, trialId, 'cancelled', { finishedAt: new Date(), ...(lateStart && { error: 'not started: budget.maxDurationSeconds had passed' }) });
      return 'cancelled';
    }
    const started = await moveTrial(this.store, trialId, 'running', {
      attempts: trial.attempts + 1, startedAt: trial.startedAt ?? new Date(), heartbeatAt: new Date(), backend: this.engine.backend, error: null,
    });
    if (!started) return 'skipped';
    const start = await this.startPoint(trial);
    await this.markSearchRunning(search.id);
    log.info({
      hyperparameters: trial.hyperparameters, attempt: trial.attempts + 1, backend: this.engine.backend, source: trial.source,
      parentTrialId: trial.parentTrialId, execution: start.execution, resumeAfterEpoch: start.resume?.checkpoint.epoch ?? trial.initialEpoch,
    }, 'trial started');
    try {
      return await this.train(trial, search, start, control, log);
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

  /**
   * The checkpoint says which execution to continue and after which epoch: earlier executions are
   * done and their epochs stay; this execution's later epochs and later executions' are replaced,
   * never counted twice. A checkpoint at the last epoch marks a finished execution (only the
   * trial's last execution saves none), so a crash between executions never reruns one.
   */
  private async startPoint(trial: TrialRecord): Promise<StartPoint> {
    const checkpoint = await this.store.getCheckpoint(trial.id);
    if (!checkpoint) {
      await this.store.deleteEpochs(trial.id);
      return { execution: 0 };
    }
    const execution = checkpoint.execution ?? 0;
    await this.store.deleteEpochs(trial.id, checkpoint.epoch, execution);
    const epochs = (await this.store.listEpochs(trial.id)).filter((e) => (e.execution ?? 0) === execution).map(metrics);
    if (epochs.length !== checkpoint.epoch - trial.initialEpoch) {
      // Metrics and checkpoint disagree (should not happen): start this execution over rather than guess.
      await this.store.deleteEpochs(trial.id, trial.initialEpoch, execution);
      return { execution };
    }
    return { execution, resume: { checkpoint, epochs } };
  }

  private async train(trial: TrialRecord, search: SearchRecord, start: StartPoint, control: RunControl, log: Logger): Promise<RunOutcome> {
    const { spec } = search;
    const model = resolveTemplate(spec.model, trial.hyperparameters);
    const target = trialEpochs(spec, trial);
    if (target <= trial.initialEpoch) throw new TrainingError(`trial trains to epoch ${target} but starts after epoch ${trial.initialEpoch}`);
    const executions = spec.training.executionsPerTrial ?? 1;
    const { metric, direction } = spec.objective;
    const parent = await this.parentModel(trial);
    const results = await this.finishedExecutions(trial, start.execution, spec.objective);
    let held: { execution: number; artifact: ModelArtifact } | null = null; // the best execution's, if trained here
    let lastBeat = Date.now();
    const beat = async () => {
      lastBeat = Date.now();
      await this.store.updateTrialIf(trial.id, ['running'], { heartbeatAt: new Date() });
      await yieldToEventLoop(); // lets a stop request or a lost parent be noticed mid-epoch
    };
    for (let execution = start.execution; execution < executions; execution++) {
      const last = execution === executions - 1;
      const stop = { ended: null as SearchStatus | null, handBack: false, prune: null as string | null };
      const result = await this.engine.train({
        model, dataset: spec.dataset, objective: spec.objective,
        training: { epochs: target, batchSize: spec.training.batchSize, validationSplit: spec.training.validationSplit },
        initialEpoch: trial.initialEpoch, initialWeights: parent?.artifact,
        resume: execution === start.execution ? start.resume : undefined,
        onBatchEnd: async () => {
          if (Date.now() - lastBeat >= control.heartbeatIntervalMs) await beat();
        },
        onEpochEnd: async (m, checkpoint) => {
          // Metrics first: a crash before the checkpoint is saved replays this epoch, which overwrites.
          await this.store.recordEpoch({ trialId: trial.id, execution, ...m });
          if (m.epoch < target || !last) await this.store.saveCheckpoint({ trialId: trial.id, execution, ...(await checkpoint()) });
          await beat();
          log.info({ execution, ...m }, 'epoch done');
          const status = (await this.store.getSearch(search.id))?.status;
          if (status && stopsTrial(trial, status)) stop.ended = status;
          // Not after the very last epoch: nothing is left to save, and a pruned trial would leave
          // the completed ones that rank rungs, the median and the best.
          const finished = last && m.epoch >= target;
          if (!stop.ended && !finished && trial.source !== 'retrain') stop.prune = await pruneVerdict(this.store, search, trial.id, m.epoch);
          if (stop.prune) return 'prune';
          stop.handBack = !stop.ended && control.stopRequested() && !(last && m.epoch >= target);
          return stop.ended || stop.handBack ? 'stop' : 'continue';
        },
      });
      if (stop.ended) throw new TrialCancelledError(`search '${search.id}' was ${stop.ended}`);
      if (stop.handBack) {
        // Not a failed attempt: the next run resumes from the checkpoint without counting this one.
        await moveTrial(this.store, trial.id, 'waiting', { attempts: trial.attempts, heartbeatAt: null }, 'running');
        log.info({ execution, epochs: result.epochs.length }, 'trial handed back at an epoch boundary');
        return 'handed-back';
      }
      if (!result.best || !result.artifact) throw new Error('training returned no result');
      const done: ExecutionBest = { execution, best: result.best, lastEpoch: result.epochs.at(-1)?.epoch ?? result.best.epoch };
      // Ties keep the earlier execution.
      const bestSoFar = results.every((r) => isBetter(metricValue(done.best, metric), metricValue(r.best, metric), direction));
      results.push(done);
      log.info({ execution, bestEpoch: done.best.epoch, [metric]: metricValue(done.best, metric), phases: result.phases }, 'execution done');
      if (bestSoFar) {
        held = { execution, artifact: result.artifact };
        // Stored now so a crash in a later execution keeps it: the trial's model until it ends.
        if (!last && !stop.prune) await this.saveModel(trial, search, model, done, held.artifact, parent);
      }
      if (stop.prune) {
        log.info({ reason: stop.prune, execution, epoch: done.lastEpoch }, 'trial pruned');
        return this.finish(trial, search, model, 'pruned', results, held, parent, log);
      }
    }
    return this.finish(trial, search, model, 'completed', results, held, parent, log);
  }

  /** The best epoch of each execution before `upTo`, from their stored epochs. */
  private async finishedExecutions(trial: TrialRecord, upTo: number, objective: SearchRecord['spec']['objective']): Promise<ExecutionBest[]> {
    if (upTo === 0) return [];
    const rows = await this.store.listEpochs(trial.id);
    const results: ExecutionBest[] = [];
    for (let execution = 0; execution < upTo; execution++) {
      const own = rows.filter((e) => (e.execution ?? 0) === execution).map(metrics);
      const best = bestEpoch(own, objective.metric, objective.direction);
      if (best) results.push({ execution, best, lastEpoch: Math.max(...own.map((e) => e.epoch)) });
    }
    return results;
  }

  /** A continuation (promotion, retrain) starts from its parent trial's model: the parent's best epoch, as Keras Tuner's Hyperband loads it. */
  private async parentModel(trial: TrialRecord): Promise<ParentModel | null> {
    if (!trial.parentTrialId) return null;
    const modelId = (await this.store.getTrial(trial.parentTrialId))?.modelId;
    const artifact = modelId ? await this.store.getModelArtifact(modelId) : null;
    if (!modelId || !artifact) throw new TrainingError(`parent trial '${trial.parentTrialId}' has no model to continue from`);
    return { id: modelId, artifact };
  }

  /** Value and valAccuracy: means over the executions of their best epochs; the model: the best execution's. */
  private async finish(
    trial: TrialRecord, search: SearchRecord, model: ConcreteModel, status: 'completed' | 'pruned', results: ExecutionBest[],
    held: { execution: number; artifact: ModelArtifact } | null, parent: ParentModel | null, log: Logger,
  ): Promise<RunOutcome> {
    const { metric, direction } = search.spec.objective;
    const mean = (f: (r: ExecutionBest) => number) => results.reduce((s, r) => s + f(r), 0) / results.length;
    const value = finiteOrNull(mean((r) => metricValue(r.best, metric)));
    const valAccuracy = finiteOrNull(mean((r) => r.best.valAccuracy));
    const top = results.reduce((b, r) => (isBetter(metricValue(r.best, metric), metricValue(b.best, metric), direction) ? r : b));
    const artifact = held?.execution === top.execution ? held.artifact : await this.storedArtifact(trial.id);
    const saved = await this.saveModel(trial, search, model, top, artifact, parent);
    // A pruned trial trained to where it stopped: epoch budgets (budget.maxTotalEpochs) count that, not its plan.
    const stoppedAt = status === 'pruned' ? { targetEpochs: Math.max(...results.map((r) => r.lastEpoch)) } : {};
    const done = await moveTrial(this.store, trial.id, status, { value, valAccuracy, finishedAt: new Date(), ...stoppedAt }, 'running');
    if (!done) return 'skipped';
    log.info({ value, valAccuracy, executions: results.length, bestExecution: top.execution, bestEpoch: top.best.epoch, modelId: saved.id }, `trial ${status}`);
    return status;
  }

  /** The model an earlier run stored for the best execution so far (see train). */
  private async storedArtifact(trialId: string): Promise<ModelArtifact> {
    const modelId = (await this.store.getTrial(trialId))?.modelId;
    const artifact = modelId ? await this.store.getModelArtifact(modelId) : null;
    if (!artifact) throw new Error(`trial '${trialId}': the model of its best finished execution is missing`);
    return artifact;
  }

  private async saveModel(trial: TrialRecord, search: SearchRecord, model: ConcreteModel, r: ExecutionBest, artifact: ModelArtifact, parent: ParentModel | null) {
    const { spec } = search;
    const data = await this.datasets.info(spec.dataset.id);
    if (!data) throw new TrainingError(`dataset '${spec.dataset.id}' does not exist (it was deleted)`);
    const summary: ModelSummary = {
      ...describeArchitecture(model),
      hyperparameters: trial.hyperparameters,
      metrics: { valAccuracy: r.best.valAccuracy, bestEpoch: r.best.epoch, epochs: r.lastEpoch },
      dataset: { id: data.id, labels: data.labels, pixelMax: data.pixelMax },
    };
    // Lineage: a retrain's model continues its parent's (a promotion's stays a search trial's own model).
    const parentModelId = trial.source === 'retrain' ? parent?.id ?? null : null;
    return this.store.saveModel({ id: randomUUID(), searchId: search.id, trialId: trial.id, parentModelId, summary, artifact });
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
