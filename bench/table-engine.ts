// A TrainingEngine that trains nothing: each epoch's metrics are the learning-curve table's row
// for the requested model. A continuation (a hyperband/asha promotion) gets the row's later
// epochs, as if training had gone on uninterrupted: tabular benchmarks (LCBench, HPOBench) make
// the same approximation. It keeps a trace of every epoch it hands out, which is what the replay
// counts: epochs spent, and the best value seen after each.
import type { ModelArtifact } from '../src/domain/model-artifact.js';
import { bestEpoch } from '../src/domain/objective.js';
import type { EpochMetrics, TrainingEngine, TrainRequest, TrainResult } from '../src/domain/training-port.js';
import { indexTable, modelKey, type CurveTable, type TableRow } from './curve-table.js';

/** One epoch handed out, in order. */
export interface TracedEpoch { epoch: number; valAccuracy: number; continued: boolean }

const NO_PHASES = { loadMs: 0, buildMs: 0, fitMs: 0, saveMs: 0 };

/** Stand-in weights: which epoch they come from, so a checkpoint or artifact can be told apart. */
const weightsAt = (epoch: number) => ({ weightSpecs: [], weightData: Uint8Array.from([epoch & 0xff]) });

export class TableTrainingEngine implements TrainingEngine {
  readonly backend = 'table';
  private readonly rows: Map<string, TableRow>;
  private trace: TracedEpoch[] = [];

  constructor(private readonly table: CurveTable) {
    this.rows = indexTable(table);
  }

  get size(): number {
    return this.rows.size;
  }

  /** The epochs handed out since the last call, and a fresh trace. */
  takeTrace(): TracedEpoch[] {
    const t = this.trace;
    this.trace = [];
    return t;
  }

  /** The row a request trains; an error naming the configuration when the table has none, or other data. */
  lookup(req: Pick<TrainRequest, 'model' | 'dataset' | 'training'>): TableRow {
    const { dataset, training } = this.table;
    const asked = JSON.stringify({ dataset: req.dataset, batchSize: req.training.batchSize, validationSplit: req.training.validationSplit });
    const built = JSON.stringify({ dataset, batchSize: training.batchSize, validationSplit: training.validationSplit });
    if (asked !== built) throw new Error(`the table was built for ${built}, the request asks for ${asked}`);
    if (req.training.epochs > training.epochs) throw new Error(`the table holds ${training.epochs} epochs per configuration, the request trains to epoch ${req.training.epochs}`);
    const key = modelKey(req.model);
    const row = this.rows.get(key);
    if (!row) throw new Error(`configuration not in the curve table: ${key}`);
    return row;
  }

  async train(req: TrainRequest): Promise<TrainResult> {
    const row = this.lookup(req);
    const { metric, direction } = req.objective ?? { metric: 'val_accuracy', direction: 'max' };
    const epochs: EpochMetrics[] = [...(req.resume?.epochs ?? [])];
    const ended = (stopped: boolean, pruned: boolean): TrainResult => {
      const best = bestEpoch(epochs, metric, direction);
      const artifact: ModelArtifact | null = best && (!stopped || pruned) ? { modelTopology: { table: true }, ...weightsAt(best.epoch) } : null;
      return { epochs, best, stopped, pruned, artifact, phases: NO_PHASES };
    };
    const from = req.resume?.checkpoint.epoch ?? req.initialEpoch ?? 0;
    for (let epoch = from + 1; epoch <= req.training.epochs; epoch++) {
      const [loss, accuracy, valLoss, valAccuracy, durationMs] = row.epochs[epoch - 1];
      const m: EpochMetrics = { epoch, loss, accuracy, valLoss, valAccuracy, durationMs };
      epochs.push(m);
      this.trace.push({ epoch, valAccuracy, continued: (req.initialEpoch ?? 0) > 0 });
      const decision = await req.onEpochEnd(m, async () => ({ epoch, ...weightsAt(epoch) }));
      if (decision !== 'continue') return ended(true, decision === 'prune');
    }
    return ended(false, false);
  }

  /** The table holds learning curves, not latencies: a replayed trial has no latency_ms (it stays off the front). */
  async predictionLatency(): Promise<number> {
    throw new Error('the curve table measures no prediction latency');
  }
}
