// The TrainingEngine port implemented with tfjs: data, model, fit, artifact; and the kept model's
// prediction latency, for searches that optimize it.
import type { DatasetSource } from '../domain/dataset-source.js';
import { TrainingError } from '../domain/errors.js';
import type { ModelArtifact } from '../domain/model-artifact.js';
import type { Precision } from '../domain/precision.js';
import type { TrainingEngine, TrainPhases, TrainRequest, TrainResult } from '../domain/training-port.js';
import { modelToArtifact } from './artifact.js';
import { buildModel, disposeModel } from './build-model.js';
import { precisionUnavailableReason } from './precision-support.js';
import { predictionLatencyMs } from './prediction-latency.js';
import { trainModel } from './train.js';
import { splitValidation } from './validation-split.js';

export class TfjsTrainingEngine implements TrainingEngine {
  /** `datasets`: where trials read their data, given by the composition root (src/datasets stays the producer). */
  constructor(readonly backend: string, private readonly datasets: DatasetSource) {}

  async train(req: TrainRequest): Promise<TrainResult> {
    const restorePrecision = await this.usePrecision(req.training.precision ?? 'fp32'); // before any work: it may refuse
    try {
      return await this.trainAtPrecision(req);
    } finally {
      restorePrecision();
    }
  }

  private async trainAtPrecision(req: TrainRequest): Promise<TrainResult> {
    const phases: TrainPhases = { loadMs: 0, buildMs: 0, fitMs: 0, saveMs: 0 };
    let t = performance.now();
    const lap = (phase: keyof TrainPhases) => {
      const now = performance.now();
      phases[phase] = Math.round(now - t);
      t = now;
    };
    const data = await this.datasets.load(req.dataset.id, req.dataset.limit); // a TrainingError when it is gone
    const { trainCount, valCount } = splitValidation(data.count, req.training.validationSplit);
    lap('loadMs');
    const model = buildModel(req.model, req.seed);
    lap('buildMs');
    try {
      const { batches, ...result } = await trainModel({
        model, train: data, trainCount, valCount,
        epochs: req.training.epochs, batchSize: req.training.batchSize,
        initialEpoch: req.initialEpoch, initialWeights: req.initialWeights, objective: req.objective,
        onEpochEnd: req.onEpochEnd, onBatchEnd: req.onBatchEnd,
        resume: req.resume, seed: req.seed,
      });
      lap('fitMs');
      // A pruned trial keeps its best epoch so far; a cancelled or handed-back one needs nothing.
      const artifact = result.best && (!result.stopped || result.pruned) ? await modelToArtifact(model) : null;
      lap('saveMs');
      return { ...result, artifact, phases: { ...phases, ...batches } };
    } finally {
      disposeModel(model); // also frees the optimizer's slots, which model.dispose() leaves behind
    }
  }

  /** On the backend this process set up for its trials (the engine's `backend`). */
  predictionLatency(artifact: ModelArtifact, inputShape: number[]): Promise<number> {
    return predictionLatencyMs(artifact, inputShape);
  }

  /**
   * bf16: the native conv and matmul kernels compute in mixed precision until this training ends
   * (weights, optimizer, loss stay float32). Here, not at the API, is where a worker's backend is
   * known ('auto' probes it at start): one that cannot is a TrainingError, final, since a retry
   * would meet the same worker setup.
   */
  private async usePrecision(precision: Precision): Promise<() => void> {
    if (precision === 'fp32') return () => {}; // the float32 path: nothing is switched
    const why = precisionUnavailableReason(this.backend, precision);
    if (why) throw new TrainingError(`training.precision: ${why}`);
    const { setNativePrecision } = await import('./native/precision.js');
    setNativePrecision(this.backend, precision);
    return () => setNativePrecision(this.backend, 'fp32');
  }
}
