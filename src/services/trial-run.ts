// One attempt at a trial, from the moment it is running until it ends: trains its executions,
// records each epoch as it ends (metrics, then a checkpoint, then a heartbeat), asks the pure
// after-epoch decision (src/domain/after-epoch.ts) whether to go on, and stores the result: the
// best execution's model and the trial's final state (with, for a `latency_ms` objective, that
// model's measured prediction latency). TrialRunner creates one per attempt.
import { randomUUID } from 'node:crypto';
import { afterEpoch, asksPruner, engineDecision, type AfterEpoch, type EpochEnd } from '../domain/after-epoch.js';
import type { DatasetCatalog } from '../domain/dataset-source.js';
import { TrainingError, TrialCancelledError } from '../domain/errors.js';
import type { ModelArtifact } from '../domain/model-artifact.js';
import { describeArchitecture, type ModelSummary } from '../domain/model-summary.js';
import { resolveTemplate, type ConcreteModel } from '../domain/model-template.js';
import { metricValue } from '../domain/objective.js';
import { measuresLatency } from '../domain/objective-rules.js';
import { trialEpochs } from '../domain/schedule.js';
import type { EpochMetrics, TrainingCheckpoint, TrainingEngine, TrainRequest, TrainResult } from '../domain/training-port.js';
import { TrialExecutions, type ExecutionBest } from '../domain/trial-executions.js';
import { executionSeed, trialSeed } from '../domain/trial-seed.js';
import type { Logger } from '../logger.js';
import type { SearchRecord, TrialPatch, TrialRecord } from '../ports/search-store.js';
import type { Store } from '../ports/store.js';
import { pruneVerdict } from './trial-pruning.js';
import { moveTrial } from './trial-transitions.js';

export interface RunControl {
  /** True once the worker asked this run to stop (shutdown): it hands the trial back at the next epoch boundary. */
  stopRequested(): boolean;
  /** Least time between two heartbeats; checked after every batch, as an epoch may take minutes. */
  heartbeatIntervalMs: number;
}

/** Where a run starts: executions before `execution` are done (their epochs stay); `resume` continues `execution`. */
export interface StartPoint { execution: number; resume?: TrainRequest['resume'] }

/**
 * How a run that trained ends. 'lost-finish': another process moved the trial off 'running'
 * (a cancel, a reconcile) before this run could end it; the metrics and model stay, the state is theirs.
 */
export type RunEnd = 'completed' | 'pruned' | 'handed-back' | 'lost-finish';

/** The runner's collaborators, shared by its runs. `now`: the clock for timestamps and heartbeats. */
export interface RunDeps { store: Store; engine: TrainingEngine; datasets: DatasetCatalog; now: () => Date }

/** One attempt: the trial as read before it moved to running, its search, where it starts, and the worker's control. */
export interface RunAttempt { trial: TrialRecord; search: SearchRecord; start: StartPoint; control: RunControl; log: Logger }

/**
 * What the run trains, fixed before it starts. `parent`: the model a continuation starts from.
 * `seed`: the configuration's in this search (every attempt, promotion and retrain of it shares it).
 */
interface RunPlan { model: ConcreteModel; target: number; executionsPerTrial: number; parent: { id: string; artifact: ModelArtifact } | null; seed: number }

// Training blocks the event loop between batches; IPC messages (a stop request) are read only
// when the loop gets a turn, which this gives it at each epoch boundary.
const yieldToEventLoop = () => new Promise((r) => setImmediate(r));

const CONTINUE: AfterEpoch = { kind: 'continue' };

export class TrialRun {
  private lastBeat: number;

  private constructor(
    private readonly deps: RunDeps, private readonly attempt: RunAttempt,
    private readonly plan: RunPlan, private readonly executions: TrialExecutions,
  ) {
    this.lastBeat = deps.now().getTime();
  }

  /** Prepares the run: its model, target epoch, parent model, and the executions an earlier run finished. */
  static async open(deps: RunDeps, attempt: RunAttempt): Promise<TrialRun> {
    const { trial, search: { spec }, start } = attempt;
    const model = resolveTemplate(spec.model, trial.hyperparameters);
    const target = trialEpochs(spec, trial);
    if (target <= trial.initialEpoch) throw new TrainingError(`trial trains to epoch ${target} but starts after epoch ${trial.initialEpoch}`);
    const parent = await parentModel(deps.store, trial);
    const rows = start.execution === 0 ? [] : await deps.store.listEpochs(trial.id);
    const epochs = rows.map(({ trialId: _, execution, ...m }) => ({ ...m, execution: execution ?? 0 }));
    const executions = TrialExecutions.resumed(spec.objective, epochs, start.execution);
    const seed = trialSeed(spec.algorithm.seed, trial.hyperparameters);
    return new TrialRun(deps, attempt, { model, target, executionsPerTrial: spec.training.executionsPerTrial ?? 1, parent, seed }, executions);
  }

  /** Trains the remaining executions; throws what ends the trial otherwise (see trialOutcomeOf). */
  async train(): Promise<RunEnd> {
    for (let execution = this.attempt.start.execution; execution < this.plan.executionsPerTrial; execution++) {
      const end = await this.trainExecution(execution);
      if (end) return end;
    }
    return this.finish('completed');
  }

  /** One execution, from fresh weights or the parent's model; how the run ends if it ends here, else null. */
  private async trainExecution(execution: number): Promise<RunEnd | null> {
    const { trial, search: { id: searchId, spec }, start, control, log } = this.attempt;
    const last = execution === this.plan.executionsPerTrial - 1;
    // The last decision handed to the engine: it says why training stopped, if it did.
    let decision = CONTINUE;
    const result = await this.deps.engine.train({
      model: this.plan.model, dataset: spec.dataset, objective: spec.objective, seed: executionSeed(this.plan.seed, execution),
      training: {
        epochs: this.plan.target, batchSize: spec.training.batchSize, validationSplit: spec.training.validationSplit,
        ...(spec.training.precision && { precision: spec.training.precision }),
      },
      initialEpoch: trial.initialEpoch, initialWeights: this.plan.parent?.artifact,
      resume: execution === start.execution ? start.resume : undefined,
      onBatchEnd: async () => {
        if (this.deps.now().getTime() - this.lastBeat >= control.heartbeatIntervalMs) await this.beat();
      },
      onEpochEnd: async (m, checkpoint) => {
        decision = await this.epochEnded(execution, last, m, checkpoint);
        return engineDecision(decision);
      },
    });
    if (decision.kind === 'search-ended') throw new TrialCancelledError(`search '${searchId}' was ${decision.searchStatus}`);
    if (decision.kind === 'cancel-requested') throw new TrialCancelledError(`cancelled on request after epoch ${result.epochs.at(-1)?.epoch ?? trial.initialEpoch}`);
    if (decision.kind === 'hand-back') return this.handBack(execution, result);
    if (!result.best || !result.artifact) throw new Error('training returned no result');
    const done: ExecutionBest = { execution, best: result.best, lastEpoch: result.epochs.at(-1)?.epoch ?? result.best.epoch };
    const bestSoFar = this.executions.add(done, result.artifact);
    const { metric } = spec.objective;
    log.info({ execution, bestEpoch: done.best.epoch, [metric]: metricValue(done.best, metric), phases: result.phases }, 'execution done');
    // Stored now so a crash in a later execution keeps it: the trial's model until it ends.
    if (bestSoFar && !last && decision.kind !== 'prune') await this.saveModel(done, result.artifact);
    if (decision.kind === 'prune') {
      log.info({ reason: decision.reason, execution, epoch: done.lastEpoch }, 'trial pruned');
      return this.finish('pruned');
    }
    return null;
  }

  /** The side effects of an epoch's end, then the decision on what follows. */
  private async epochEnded(execution: number, last: boolean, m: EpochMetrics, checkpoint: () => Promise<TrainingCheckpoint>): Promise<AfterEpoch> {
    const { trial, search, control, log } = this.attempt;
    const { store } = this.deps;
    const finished = last && m.epoch >= this.plan.target;
    // Metrics first: a crash before the checkpoint is saved replays this epoch, which overwrites.
    await store.recordEpoch({ trialId: trial.id, execution, ...m });
    if (!finished) await store.saveCheckpoint({ trialId: trial.id, execution, ...(await checkpoint()) });
    await this.beat();
    log.info({ execution, ...m }, 'epoch done');
    // Read from the store, not this process: the API records a cancel request (see SearchService.cancelTrial).
    const cancelRequested = (await store.getTrial(trial.id))?.cancelRequestedAt != null;
    const end: EpochEnd = { retrain: trial.source === 'retrain', searchStatus: (await store.getSearch(search.id))?.status, finished, cancelRequested };
    const pruneReason = asksPruner(end) ? await pruneVerdict(store, search, trial.id, m.epoch) : null;
    return afterEpoch({ ...end, pruneReason, shutdownRequested: control.stopRequested() });
  }

  private async beat(): Promise<void> {
    this.lastBeat = this.deps.now().getTime();
    await this.deps.store.updateTrialIf(this.attempt.trial.id, ['running'], { heartbeatAt: this.deps.now() });
    await yieldToEventLoop(); // lets a stop request or a lost parent be noticed mid-epoch
  }

  /** Not a failed attempt: the next run resumes from the checkpoint without counting this one. */
  private async handBack(execution: number, result: TrainResult): Promise<RunEnd> {
    const { trial, log } = this.attempt;
    await moveTrial(this.deps.store, trial.id, 'waiting', { attempts: trial.attempts, heartbeatAt: null }, 'running');
    log.info({ execution, epochs: result.epochs.length }, 'trial handed back at an epoch boundary');
    return 'handed-back';
  }

  /** Stores the best execution's model and ends the trial with the executions' means. */
  private async finish(status: 'completed' | 'pruned'): Promise<RunEnd> {
    const { trial, log } = this.attempt;
    const { value, valAccuracy } = this.executions.means();
    const top = this.executions.best();
    const artifact = this.executions.bestArtifact() ?? await this.storedArtifact();
    const saved = await this.saveModel(top, artifact);
    // A pruned trial trained to where it stopped: epoch budgets (budget.maxTotalEpochs) count that, not its plan.
    const stoppedAt = status === 'pruned' ? { targetEpochs: this.executions.lastEpoch() } : {};
    // Pruning is refused with several objectives, so only a completed trial ever has a front to join.
    const latency = status === 'completed' ? await this.latencyOf(artifact) : {};
    // In the update that ends the trial: whoever sees it completed sees its latency (the scheduler keeps values once read).
    const done = await moveTrial(this.deps.store, trial.id, status, { value, valAccuracy, ...latency, finishedAt: this.deps.now(), ...stoppedAt }, 'running');
    if (!done) return 'lost-finish';
    log.info({ value, valAccuracy, ...latency, executions: this.executions.count, bestExecution: top.execution, bestEpoch: top.best.epoch, modelId: saved.id }, `trial ${status}`);
    return status;
  }

  /**
   * `latency_ms`: the kept model's (the best execution's best epoch, as stored) single-image
   * prediction latency on this worker's backend, for a search that lists it; nothing otherwise.
   * The input is the model's shape, which validation made the dataset's. A failed measurement
   * leaves it null (the trial stays off the front) rather than failing a trained trial.
   */
  private async latencyOf(artifact: ModelArtifact): Promise<Pick<TrialPatch, 'latencyMs'>> {
    const { search: { spec }, log } = this.attempt;
    if (!measuresLatency(spec)) return {};
    try {
      const latencyMs = await this.deps.engine.predictionLatency(artifact, this.plan.model.inputShape);
      if (!(Number.isFinite(latencyMs) && latencyMs > 0)) throw new Error(`the measurement gave ${latencyMs} ms`);
      return { latencyMs };
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'prediction latency not measured: the trial has no latency_ms and stays off the Pareto front');
      return { latencyMs: null };
    }
  }

  /** The model an earlier run stored for the best execution so far (see trainExecution). */
  private async storedArtifact(): Promise<ModelArtifact> {
    const trialId = this.attempt.trial.id;
    const modelId = (await this.deps.store.getTrial(trialId))?.modelId;
    const artifact = modelId ? await this.deps.store.getModelArtifact(modelId) : null;
    if (!artifact) throw new Error(`trial '${trialId}': the model of its best finished execution is missing`);
    return artifact;
  }

  private async saveModel(r: ExecutionBest, artifact: ModelArtifact) {
    const { trial, search } = this.attempt;
    const data = await this.deps.datasets.info(search.spec.dataset.id);
    if (!data) throw new TrainingError(`dataset '${search.spec.dataset.id}' does not exist (it was deleted)`);
    const summary: ModelSummary = {
      ...describeArchitecture(this.plan.model),
      hyperparameters: trial.hyperparameters,
      metrics: { valAccuracy: r.best.valAccuracy, bestEpoch: r.best.epoch, epochs: r.lastEpoch },
      dataset: { id: data.id, labels: data.labels, pixelMax: data.pixelMax },
    };
    // Lineage: a retrain's model continues its parent's (a promotion's stays a search trial's own model).
    const parentModelId = trial.source === 'retrain' ? this.plan.parent?.id ?? null : null;
    return this.deps.store.saveModel({ id: randomUUID(), searchId: search.id, trialId: trial.id, parentModelId, summary, artifact });
  }
}

/** A continuation (promotion, retrain) starts from its parent trial's model: the parent's best epoch, as Keras Tuner's Hyperband loads it. */
async function parentModel(store: Store, trial: TrialRecord): Promise<RunPlan['parent']> {
  if (!trial.parentTrialId) return null;
  const modelId = (await store.getTrial(trial.parentTrialId))?.modelId;
  const artifact = modelId ? await store.getModelArtifact(modelId) : null;
  if (!modelId || !artifact) throw new TrainingError(`parent trial '${trial.parentTrialId}' has no model to continue from`);
  return { id: modelId, artifact };
}
