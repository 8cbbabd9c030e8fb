// What bench:search reports from each finished search: the best val_accuracy any trained epoch
// reached, the epochs spent, and how many epochs (in the order they were trained) it took to reach
// random search's final best of the same seed; then the table and the issue's two targets.
import type { TrialWithEpochs } from '../src/ports/search-store.js';
import { trainedEpochs } from './search-harness.js';
import type { BenchAlgorithm } from './search-spaces.js';

export interface RunResult {
  algorithm: BenchAlgorithm;
  seed: number;
  status: string;
  error: string | null;
  wallMs: number;
  cpuMs: number;
  /** Seconds inside epochs (training + validation), the rest of wallMs being trial and search overhead. */
  epochSeconds: number;
  /** Every trained epoch's val_accuracy, in training order (trials ran one at a time). */
  curve: number[];
  best: number | null;
  /** The service's own pick (search.bestTrialId): completed trials only. */
  serviceBest: number | null;
  epochs: number;
  trials: number;
  configurations: number;
  promotions: number;
  pruned: number;
  failed: number;
  /** Cumulative epochs to reach random's final best of this seed; null: never; undefined: no random run. */
  epochsToRandomBest?: number | null;
  trialLog: {
    number: number; status: string; parent: number | null; bracket: number | null; rung: number | null; initialEpoch: number; targetEpochs: number | null;
    valAccuracy: number[]; hyperparameters: unknown;
  }[];
}

/** Trials in the order they ran (startedAt; never-started ones last), then their epochs in order. */
export function summarizeRun(algorithm: BenchAlgorithm, seed: number, time: { wallMs: number; cpuMs: number },
  search: { status: string; error: string | null; bestTrialId: string | null }, trials: TrialWithEpochs[]): RunResult {
  const ran = [...trials].sort((a, b) => (a.startedAt?.getTime() ?? Infinity) - (b.startedAt?.getTime() ?? Infinity) || a.number - b.number);
  const curve = ran.flatMap((t) => trainedEpochs(t).map((e) => e.valAccuracy));
  const best = trials.find((t) => t.id === search.bestTrialId);
  return {
    algorithm, seed, status: search.status, error: search.error, wallMs: time.wallMs, cpuMs: time.cpuMs, curve,
    epochSeconds: ran.reduce((s, t) => s + trainedEpochs(t).reduce((n, e) => n + e.durationMs, 0), 0) / 1000,
    best: curve.length ? Math.max(...curve) : null,
    serviceBest: best?.value ?? best?.valAccuracy ?? null,
    epochs: curve.length,
    trials: trials.length,
    configurations: trials.filter((t) => t.parentTrialId === null).length,
    promotions: trials.filter((t) => t.parentTrialId !== null).length,
    pruned: trials.filter((t) => t.status === 'pruned').length,
    failed: trials.filter((t) => t.status === 'failed').length,
    trialLog: ran.map((t) => ({
      number: t.number, status: t.status, parent: trials.find((p) => p.id === t.parentTrialId)?.number ?? null,
      bracket: t.bracket, rung: t.rung, initialEpoch: t.initialEpoch, targetEpochs: t.targetEpochs,
      valAccuracy: trainedEpochs(t).map((e) => Number(e.valAccuracy.toFixed(4))), hyperparameters: t.hyperparameters,
    })),
  };
}

/** 1-based count of epochs trained until one reached `target`; null when none did. */
export function epochsToReach(curve: number[], target: number): number | null {
  const at = curve.findIndex((v) => v >= target - 1e-9);
  return at < 0 ? null : at + 1;
}

/** Fills epochsToRandomBest from the random run of the same seed. */
export function compareWithRandom(results: RunResult[]): void {
  for (const r of results) {
    const random = results.find((x) => x.algorithm === 'random' && x.seed === r.seed);
    if (random?.best == null) continue;
    r.epochsToRandomBest = epochsToReach(r.curve, random.best);
  }
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const acc = (v: number | null | undefined) => (v == null ? '–' : v.toFixed(4));
const reach = (v: number | null | undefined) => (v === undefined ? '–' : v === null ? 'never' : String(v));
/** Median where "never" counts as infinitely many epochs. */
const medianReach = (xs: (number | null)[]) => {
  const m = median(xs.map((x) => x ?? Infinity));
  return Number.isFinite(m) ? String(m) : 'never';
};

export function markdownTable(results: RunResult[], algorithms: readonly BenchAlgorithm[]): string {
  const lines = [
    '| algorithm | best val_accuracy, median (per seed) | epochs spent, median (per seed) | epochs to reach random\'s best, median (per seed) | trials: configurations + promotions, pruned | wall min (sum) | CPU min (sum) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const a of algorithms) {
    const rs = results.filter((r) => r.algorithm === a);
    if (!rs.length) continue;
    const bests = rs.flatMap((r) => (r.best == null ? [] : [r.best]));
    const reaches = rs.map((r) => r.epochsToRandomBest);
    const reachCell = reaches.some((x) => x === undefined) ? '–' : `${medianReach(reaches as (number | null)[])} (${reaches.map(reach).join(', ')})`;
    lines.push(`| ${a === 'median' ? 'random + median stopping' : a} | ${bests.length ? acc(median(bests)) : '–'} (${rs.map((r) => acc(r.best)).join(', ')}) | ` +
      `${median(rs.map((r) => r.epochs))} (${rs.map((r) => r.epochs).join(', ')}) | ${reachCell} | ` +
      `${rs.map((r) => `${r.configurations}+${r.promotions}, ${r.pruned}`).join('; ')} | ${(rs.reduce((s, r) => s + r.wallMs, 0) / 60000).toFixed(1)} | ${(rs.reduce((s, r) => s + r.cpuMs, 0) / 60000).toFixed(1)} |`);
  }
  return lines.join('\n');
}

export interface Verdict { target: string; pass: boolean | null; detail: string }

/**
 * The issue's targets. Multi-fidelity: the median seed of (epochs to reach random's best) is at
 * most a third of random's epochs spent on that seed ("never" is a miss). Bayesian: the median
 * over seeds of (bayesian best - random best) at equal trials is above 0.
 */
export function verdicts(results: RunResult[]): Verdict[] {
  const bySeed = (a: BenchAlgorithm) => new Map(results.filter((r) => r.algorithm === a).map((r) => [r.seed, r]));
  const random = bySeed('random');
  const out: Verdict[] = [];
  for (const a of ['asha', 'hyperband'] as const) {
    const runs = [...bySeed(a).values()].filter((r) => random.has(r.seed));
    if (!runs.length) continue;
    const ratios = runs.map((r) => (r.epochsToRandomBest == null ? Infinity : r.epochsToRandomBest / random.get(r.seed)!.epochs));
    const m = median(ratios);
    out.push({
      target: `${a} reaches random's best with at most 1/3 of random's epochs (median seed)`,
      pass: m <= 1 / 3 + 1e-9,
      detail: `epochs to reach / random's epochs per seed: ${runs.map((r, i) => `seed ${r.seed}: ${reach(r.epochsToRandomBest)}/${random.get(r.seed)!.epochs}` + (Number.isFinite(ratios[i]) ? ` = ${ratios[i].toFixed(2)}` : '')).join('; ')}; median ${Number.isFinite(m) ? m.toFixed(2) : 'never'}`,
    });
  }
  const bayes = [...bySeed('bayesian').values()].filter((r) => random.has(r.seed) && r.best != null && random.get(r.seed)!.best != null);
  if (bayes.length) {
    const diffs = bayes.map((r) => r.best! - random.get(r.seed)!.best!);
    const m = median(diffs);
    const equal = bayes.every((r) => r.trials === random.get(r.seed)!.trials);
    out.push({
      target: "bayesian beats random's best at equal trials (median seed)",
      pass: m > 0,
      detail: `bayesian - random per seed: ${bayes.map((r, i) => `seed ${r.seed}: ${acc(r.best)} - ${acc(random.get(r.seed)!.best)} = ${diffs[i] >= 0 ? '+' : ''}${diffs[i].toFixed(4)}`).join('; ')}; median ${m >= 0 ? '+' : ''}${m.toFixed(4)}` +
        (equal ? '' : ' (trial counts differ between the two!)'),
    });
  }
  return out;
}

export const verdictLines = (vs: Verdict[]) => vs.map((v) => `- **${v.pass ? 'PASS' : 'MISS'}**: ${v.target}. ${v.detail}`).join('\n');
