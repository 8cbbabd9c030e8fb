// What the replay reports: per algorithm, the quartiles over seeds of the best val_accuracy after
// each epoch spent (the anytime curve), the epochs each needs to reach random search's final best
// (median seed), and the three targets as PASS/MISS.
import { quantile } from './stats.js';
import type { ReplayAlgorithm } from './replay-requests.js';
import type { Trajectory } from './search-replay.js';

export interface Band { q1: number[]; median: number[]; q3: number[] }

export interface AlgorithmSummary {
  algorithm: ReplayAlgorithm;
  seeds: number;
  /** Quartiles over seeds of the epochs spent and the final best. */
  epochs: [number, number, number];
  finalBest: [number, number, number];
  /** Epochs to reach the target (random's median final best); Infinity for a seed that never does. */
  toTarget: [number, number, number];
  reached: number;
  trials: number;
}

export interface ReplayReport { target: number; randomEpochs: number; summaries: AlgorithmSummary[]; verdicts: Verdict[] }

export interface Verdict { name: string; pass: boolean; detail: string }

const quartiles = (xs: number[]): [number, number, number] => [quantile(xs, 0.25), quantile(xs, 0.5), quantile(xs, 0.75)];

/** best-so-far after `epochs` epochs; a search that ended earlier keeps its final best (it spends no more). */
export const bestAt = (t: Trajectory, epochs: number): number => t.best[Math.min(epochs, t.best.length) - 1] ?? NaN;

/** The first epoch count at which the trajectory reaches `target`. */
export function epochsToReach(t: Trajectory, target: number): number {
  const i = t.best.findIndex((b) => b >= target);
  return i < 0 ? Infinity : i + 1;
}

/** Quartiles over seeds of best-so-far at each epoch count 1..longest. */
export function anytimeBand(runs: Trajectory[]): Band {
  const longest = Math.max(0, ...runs.map((r) => r.best.length));
  const band: Band = { q1: [], median: [], q3: [] };
  for (let e = 1; e <= longest; e++) {
    const [q1, median, q3] = quartiles(runs.map((r) => bestAt(r, e)));
    band.q1.push(q1);
    band.median.push(median);
    band.q3.push(q3);
  }
  return band;
}

export function summarize(runs: Trajectory[], algorithms: readonly ReplayAlgorithm[]): ReplayReport {
  const of = (a: ReplayAlgorithm) => runs.filter((r) => r.algorithm === a);
  const random = of('random');
  if (random.length === 0) throw new Error('the report compares with random search: replay it too');
  const target = quantile(random.map((r) => r.best.at(-1)!), 0.5);
  const randomEpochs = quantile(random.map((r) => r.best.length), 0.5);
  const summaries = algorithms.filter((a) => of(a).length).map((algorithm): AlgorithmSummary => {
    const rs = of(algorithm);
    const toTarget = rs.map((r) => epochsToReach(r, target));
    return {
      algorithm, seeds: rs.length, epochs: quartiles(rs.map((r) => r.best.length)), finalBest: quartiles(rs.map((r) => r.best.at(-1)!)),
      toTarget: quartiles(toTarget), reached: toTarget.filter(Number.isFinite).length, trials: quantile(rs.map((r) => r.trials), 0.5),
    };
  });
  return { target, randomEpochs, summaries, verdicts: verdicts(summaries, randomEpochs) };
}

function verdicts(summaries: AlgorithmSummary[], randomEpochs: number): Verdict[] {
  const by = (a: ReplayAlgorithm) => summaries.find((s) => s.algorithm === a);
  const out: Verdict[] = [];
  const share = (a: ReplayAlgorithm, most: number, label: string) => {
    const s = by(a);
    if (!s) return;
    const needed = s.toTarget[1];
    out.push({ name: `${a} reaches random's final best with <= ${label} of its epochs`, pass: needed <= most * randomEpochs,
      detail: `${fmtEpochs(needed)} epochs (median seed) vs random's ${randomEpochs}: ${Number.isFinite(needed) ? ((needed / randomEpochs) * 100).toFixed(0) : '–'} %` });
  };
  share('hyperband', 1 / 3, '1/3');
  share('hyperband-paper', 1 / 3, '1/3');
  share('asha', 1 / 3, '1/3');
  const bayes = by('bayesian');
  const random = by('random')!;
  if (bayes) out.push({ name: 'bayesian beats random at equal trials', pass: bayes.finalBest[1] > random.finalBest[1],
    detail: `median final best ${bayes.finalBest[1].toFixed(4)} vs ${random.finalBest[1].toFixed(4)} (${bayes.trials} vs ${random.trials} trials)` });
  share('median', 1 / 2, '1/2');
  return out;
}

const fmtEpochs = (n: number) => (Number.isFinite(n) ? String(n) : 'never');
const q3s = (q: [number, number, number], f: (n: number) => string) => `${f(q[1])} (${f(q[0])}–${f(q[2])})`;

export function reportMarkdown(r: ReplayReport): string {
  const rows = r.summaries.map((s) =>
    `| ${s.algorithm} | ${s.seeds} | ${s.trials} | ${q3s(s.epochs, String)} | ${q3s(s.finalBest, (n) => n.toFixed(4))} | ${q3s(s.toTarget, fmtEpochs)} | ${s.reached}/${s.seeds} |`);
  return [
    `Target: random search's final best, median seed: val_accuracy ${r.target.toFixed(4)} after ${r.randomEpochs} epochs.`,
    '',
    '| algorithm | seeds | trials (median) | epochs spent, median (quartiles) | final best | epochs to reach the target | seeds reaching it |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...r.verdicts.map((v) => `- ${v.pass ? 'PASS' : 'MISS'}: ${v.name}: ${v.detail}`),
  ].join('\n');
}
