// A TrainingEngine that trains nothing, for tests about the trial lifecycle (states, epochs,
// checkpoints, models, pruning) rather than about training: each epoch's metrics come from the
// test's `score`, and each checkpoint and artifact names the call and epoch it comes from.
import type { ModelArtifact } from '../../src/domain/model-artifact.js';
import { bestEpoch } from '../../src/domain/objective.js';
import type { EpochMetrics, TrainingEngine, TrainRequest, TrainResult } from '../../src/domain/training-port.js';

/** The validation metrics of `epoch` in the `call`-th request (from 0); valLoss defaults to 1 - valAccuracy. */
export type Score = (req: TrainRequest, epoch: number, call: number) => { valAccuracy: number; valLoss?: number };

/** The bytes of what call `call` held at `epoch`. */
const weights = (call: number, epoch: number) => Uint8Array.from([call, epoch]);

/** Which [call, epoch] a fake artifact or checkpoint holds. */
export const heldBy = (a: { weightData: Uint8Array }): [number, number] => [a.weightData[0], a.weightData[1]];

export class FakeTrainingEngine implements TrainingEngine {
  readonly backend = 'fake';
  readonly requests: TrainRequest[] = [];

  constructor(private readonly score: Score = () => ({ valAccuracy: 0.5 })) {}

  /** A fixed latency: the measurement itself is tested on the real engine (trial-runner.test.ts). */
  async predictionLatency(): Promise<number> {
    return 1.5;
  }

  async train(req: TrainRequest): Promise<TrainResult> {
    const call = this.requests.push(req) - 1;
    const { metric, direction } = req.objective ?? { metric: 'val_accuracy', direction: 'max' };
    const epochs: EpochMetrics[] = [...(req.resume?.epochs ?? [])];
    const ended = (stopped: boolean, pruned: boolean): TrainResult => {
      const best = bestEpoch(epochs, metric, direction);
      const artifact: ModelArtifact | null = best && (!stopped || pruned) ? { modelTopology: { fake: true }, weightSpecs: [], weightData: weights(call, best.epoch) } : null;
      return { epochs, best, stopped, pruned, artifact, phases: { loadMs: 0, buildMs: 0, fitMs: 0, saveMs: 0 } };
    };
    for (let epoch = (req.resume?.checkpoint.epoch ?? req.initialEpoch ?? 0) + 1; epoch <= req.training.epochs; epoch++) {
      await req.onBatchEnd?.();
      const { valAccuracy, valLoss = 1 - valAccuracy } = this.score(req, epoch, call);
      const m: EpochMetrics = { epoch, loss: valLoss, accuracy: valAccuracy, valLoss, valAccuracy, durationMs: 1 };
      epochs.push(m);
      const decision = await req.onEpochEnd(m, async () => ({ epoch, weightSpecs: [], weightData: weights(call, epoch) }));
      if (decision !== 'continue') return ended(true, decision === 'prune');
    }
    return ended(false, false);
  }
}
