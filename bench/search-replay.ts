// Replays searches over a learning-curve table: the service's real SearchService, Scheduler,
// oracles, promoters and median stopping, with TrialRunner over a real PrismaStore (the harness
// of search-harness.ts), but a TableTrainingEngine instead of training. What it measures is the
// engine's trace: every epoch handed out counts once (a promotion continuing from a checkpoint
// counts only its new epochs), and the best val_accuracy seen after each epoch.
import type { SearchRequest } from '../src/domain/search-spec.js';
import type { Logger } from '../src/logger.js';
import type { Store } from '../src/ports/store.js';
import type { CurveTable } from './curve-table.js';
import { runSearch } from './search-harness.js';
import { replayRequest, type MultiFidelitySettings, type ReplayAlgorithm } from './replay-requests.js';
import { TableTrainingEngine } from './table-engine.js';

export interface Trajectory {
  algorithm: ReplayAlgorithm;
  seed: number;
  searchId: string;
  /** best[i]: the best val_accuracy after i + 1 epochs spent. */
  best: number[];
  trials: number;
  /** Trials that continued another (promotions). */
  continued: number;
  status: string;
  wallMs: number;
}

export interface ReplayDeps { store: Store; engine: TableTrainingEngine; log: Logger }

/** One algorithm's search for one seed, as replay-requests.ts asks for it. */
export function replaySearch(deps: ReplayDeps, table: CurveTable, algorithm: ReplayAlgorithm, seed: number, trials: number, settings?: MultiFidelitySettings): Promise<Trajectory> {
  return replayRequestRun(deps, replayRequest(algorithm, seed, table, trials, settings), algorithm, seed);
}

/** Any request over the table's space and data. */
export async function replayRequestRun(deps: ReplayDeps, request: SearchRequest, algorithm: ReplayAlgorithm, seed: number): Promise<Trajectory> {
  deps.engine.takeTrace(); // whatever an earlier search left
  const run = await runSearch(deps, request);
  // A lookup miss is a bug in the table or the space, never a result: stop there.
  const failed = run.trials.find((t) => t.status === 'failed');
  if (failed) throw new Error(`replay ${algorithm} seed ${seed}: trial ${failed.number} failed: ${failed.error}`);
  const best: number[] = [];
  for (const { valAccuracy } of deps.engine.takeTrace()) best.push(Math.max(valAccuracy, best.at(-1) ?? -Infinity));
  return {
    algorithm, seed, searchId: run.search.id, best, trials: run.trials.length, continued: run.trials.filter((t) => t.parentTrialId).length,
    status: run.search.status, wallMs: run.wallMs,
  };
}
