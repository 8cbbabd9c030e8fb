// The TrainingEngine port implemented with tfjs: data, model, fit, artifact.
import { TrainingError } from '../domain/errors.js';
import type { TrainingEngine, TrainPhases, TrainRequest, TrainResult } from '../domain/training-port.js';
import { modelToArtifact } from './artifact.js';
import { buildModel, disposeModel } from './build-model.js';
import { loadFashionMnist, splitValidation } from './dataset.js';
import { trainModel } from './train.js';

export class TfjsTrainingEngine implements TrainingEngine {
  constructor(readonly backend: string, private readonly datasetDir: string) {}

  async train(req: TrainRequest): Promise<TrainResult> {
    if (req.dataset.id !== 'fashion-mnist') throw new TrainingError(`dataset '${req.dataset.id}' is not available on this worker`);
    const phases: TrainPhases = { loadMs: 0, buildMs: 0, fitMs: 0, saveMs: 0 };
    let t = performance.now();
    const lap = (phase: keyof TrainPhases) => {
      const now = performance.now();
      phases[phase] = Math.round(now - t);
      t = now;
    };
    const data = loadFashionMnist(this.datasetDir, 'train', req.dataset.limit);
    const { trainCount, valCount } = splitValidation(data.count, req.training.validationSplit);
    lap('loadMs');
    const model = buildModel(req.model);
    lap('buildMs');
    try {
      const result = await trainModel({
        model, train: data, trainCount, valCount,
        epochs: req.training.epochs, batchSize: req.training.batchSize,
        onEpochEnd: req.onEpochEnd, onBatchEnd: req.onBatchEnd,
        resume: req.resume && { checkpoint: req.resume.checkpoint, history: req.resume.epochs },
      });
      lap('fitMs');
      const artifact = result.best && !result.stopped ? await modelToArtifact(model) : null;
      lap('saveMs');
      return { ...result, artifact, phases };
    } finally {
      disposeModel(model); // also frees the optimizer's slots, which model.dispose() leaves behind
    }
  }
}
