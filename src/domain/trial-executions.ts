// A trial trains its configuration executionsPerTrial times (Keras Tuner's executions): its value
// is the mean of the executions' best objective values, its model the best execution's best epoch.
// This keeps the tally across runs of one trial: executions a crashed run finished come back from
// their stored epochs (their model is in the store), those trained now bring their artifact.
import type { ObjectiveMetric } from './algorithms.js';
import type { ModelArtifact } from './model-artifact.js';
import { bestEpoch, isBetter, metricValue } from './objective.js';
import type { EpochMetrics } from './training-port.js';

/** One execution's best epoch, and the last epoch it trained. */
export interface ExecutionBest { execution: number; best: EpochMetrics; lastEpoch: number }

interface Objective { metric: ObjectiveMetric; direction: 'max' | 'min' }

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

export class TrialExecutions {
  private readonly done: ExecutionBest[];
  /** The best execution's artifact, when this run trained it. */
  private held: { execution: number; artifact: ModelArtifact } | null = null;

  private constructor(private readonly objective: Objective, earlier: ExecutionBest[]) {
    this.done = earlier;
  }

  /** The executions before `upTo`, each its best epoch among `epochs` (an execution without epochs is left out). */
  static resumed(objective: Objective, epochs: (EpochMetrics & { execution: number })[], upTo: number): TrialExecutions {
    const earlier: ExecutionBest[] = [];
    for (let execution = 0; execution < upTo; execution++) {
      const own = epochs.filter((e) => e.execution === execution);
      const best = bestEpoch(own, objective.metric, objective.direction);
      if (best) earlier.push({ execution, best: withoutExecution(best), lastEpoch: Math.max(...own.map((e) => e.epoch)) });
    }
    return new TrialExecutions(objective, earlier);
  }

  /**
   * Adds an execution trained in this run. True when it is the best so far (strictly: ties keep
   * the earlier execution); its artifact is then held as the trial's model.
   */
  add(done: ExecutionBest, artifact: ModelArtifact): boolean {
    const bestSoFar = this.done.every((r) => this.better(done, r));
    this.done.push(done);
    if (bestSoFar) this.held = { execution: done.execution, artifact };
    return bestSoFar;
  }

  get count(): number {
    return this.done.length;
  }

  /** The best execution (the earlier on a tie). */
  best(): ExecutionBest {
    return this.done.reduce((b, r) => (this.better(r, b) ? r : b));
  }

  /** The best execution's artifact if this run trained it; null when an earlier run did (and stored it as the trial's model). */
  bestArtifact(): ModelArtifact | null {
    return this.held?.execution === this.best().execution ? this.held.artifact : null;
  }

  /** The trial's value and valAccuracy: means over the executions of their best epochs; null when not finite. */
  means(): { value: number | null; valAccuracy: number | null } {
    const mean = (f: (r: ExecutionBest) => number) => this.done.reduce((s, r) => s + f(r), 0) / this.done.length;
    return {
      value: finiteOrNull(mean((r) => metricValue(r.best, this.objective.metric))),
      valAccuracy: finiteOrNull(mean((r) => r.best.valAccuracy)),
    };
  }

  /** The furthest epoch any execution trained (where a pruned trial stopped). */
  lastEpoch(): number {
    return Math.max(...this.done.map((r) => r.lastEpoch));
  }

  private better(a: ExecutionBest, b: ExecutionBest): boolean {
    const { metric, direction } = this.objective;
    return isBetter(metricValue(a.best, metric), metricValue(b.best, metric), direction);
  }
}

const withoutExecution = ({ execution: _, ...m }: EpochMetrics & { execution: number }): EpochMetrics => m;
