// How much of what bench:search reports is the algorithms and how much is training noise: the
// spread of full-length trials in random search (the landscape the algorithms search), and the
// spread of one configuration trained from scratch in several searches of the same seed (the same
// configuration, drawn by several algorithms, trains with other initial weights and shuffles).
import type { RunResult } from './search-report.js';
import { FULL_EPOCHS } from './search-spaces.js';

const quantile = (sorted: number[], p: number) => sorted[Math.round(p * (sorted.length - 1))];
const fmt = (x: number) => x.toFixed(4);

export function noiseLines(results: RunResult[]): string {
  const fromScratch = (r: RunResult) => r.trialLog.filter((t) => t.parent === null && t.initialEpoch === 0 && t.valAccuracy.length === FULL_EPOCHS);
  const lines: string[] = [];
  const landscape = results.filter((r) => r.algorithm === 'random').flatMap((r) => fromScratch(r).map((t) => Math.max(...t.valAccuracy))).sort((a, b) => a - b);
  if (landscape.length > 0)
    lines.push(`- landscape: random search's ${landscape.length} full-length trials reached (best epoch) min ${fmt(landscape[0])}, ` +
      `quartiles ${[0.25, 0.5, 0.75].map((p) => fmt(quantile(landscape, p))).join(' / ')}, max ${fmt(landscape.at(-1)!)}`);
  const runs = new Map<string, number[]>();
  for (const r of results) for (const t of fromScratch(r)) {
    const key = `${r.seed} ${JSON.stringify(t.hyperparameters, Object.keys(t.hyperparameters as object).sort())}`;
    runs.set(key, [...(runs.get(key) ?? []), Math.max(...t.valAccuracy)]);
  }
  const repeated = [...runs.values()].filter((v) => v.length > 1);
  const spreads = repeated.map((v) => Math.max(...v) - Math.min(...v)).sort((a, b) => a - b);
  const counts = repeated.map((v) => v.length);
  if (spreads.length > 0)
    lines.push(`- training noise: ${spreads.length} configurations each trained from scratch in ${Math.min(...counts)}-${Math.max(...counts)} searches of one seed; the spread of their best val_accuracy: ` +
      `median ${fmt(quantile(spreads, 0.5))}, 90th percentile ${fmt(quantile(spreads, 0.9))}, max ${fmt(spreads.at(-1)!)}`);
  return lines.join('\n');
}
