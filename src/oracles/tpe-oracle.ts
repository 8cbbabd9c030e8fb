// Bayesian optimization with a Tree-structured Parzen Estimator (Bergstra et al. 2011; Optuna's
// default sampler). After `initialRandomTrials` random ones, trials are split into the best quarter
// ("good") and the rest ("bad"); each hyperparameter gets a density l(x) over the good values and
// g(x) over the bad, and of 24 candidates drawn from l the one with the largest l(x)/g(x) wins.
// Works in each hyperparameter's unit interval, so every type is handled the same way.
// Trials still running count as bad ("constant liar"), so parallel proposals spread out.
// In hyperband and asha (sampler 'tpe', as BOHB), configurations rank by the epochs they reached.
// Conditional hyperparameters are modelled independently from the trials where they were active
// (Optuna's independent TPE), and a candidate draws only those its own values make active.
// Several objectives (MOTPE, Optuna's multi-objective TPESampler): "good" is the best quarter by
// non-dominated rank, whole fronts first; the front that fits only partly is cut by NSGA-II
// crowding distance (Optuna cuts it by hypervolume contribution, its HSSP: costlier).
import { comboKey, fromUnit, sampleActive, toUnit, unitCells, type HpValues, type Hyperparameter, type SearchSpace } from '../domain/hyperparameters.js';
import type { Oracle, OracleInput, PastTrial } from '../domain/oracle.js';
import { selectByRank } from '../domain/pareto.js';
import { mixSeed, mulberry32 } from '../domain/rng.js';
import { RandomOracle } from './random-oracle.js';

const CANDIDATES = 24;
const GOOD_FRACTION = 0.25;
/** Discrete hyperparameters up to this many values are modelled as categories. */
const MAX_CATEGORIES = 64;

/** One hyperparameter's density over its unit interval (categorical or Gaussian mixture). */
interface Density {
  sample(rand: () => number): number;
  logPdf(u: number): number;
}

function categorical(size: number, observed: number[]): Density {
  // A prior weight of 1 spread over the categories keeps unseen ones possible.
  const w = new Array<number>(size).fill(1 / size);
  for (const u of observed) w[Math.min(size - 1, Math.floor(u * size))] += 1;
  const total = w.reduce((a, b) => a + b, 0);
  return {
    sample(rand) {
      let r = rand() * total;
      for (let k = 0; k < size; k++) if ((r -= w[k]) < 0) return (k + 0.5) / size;
      return (size - 0.5) / size;
    },
    logPdf: (u) => Math.log(w[Math.min(size - 1, Math.floor(u * size))] / total),
  };
}

function gaussianMixture(observed: number[]): Density {
  // Components at each observation plus a wide prior at the centre; bandwidth shrinks with data.
  const sigma = Math.min(0.5, Math.max(0.02, 0.25 * Math.pow(observed.length + 1, -1 / 5)));
  const mus = [0.5, ...observed];
  const sigmas = [1, ...observed.map(() => sigma)];
  const n = mus.length;
  return {
    sample(rand) {
      const k = Math.floor(rand() * n);
      // Box-Muller; reflected into [0, 1).
      const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      let u = mus[k] + sigmas[k] * z;
      u = Math.abs(u) % 2;
      return Math.min(u > 1 ? 2 - u : u, 1 - 1e-9);
    },
    logPdf(u) {
      let p = 0;
      for (let k = 0; k < n; k++) p += Math.exp(-0.5 * ((u - mus[k]) / sigmas[k]) ** 2) / sigmas[k];
      return Math.log(p / n + 1e-300);
    },
  };
}

/** Categories where the unit interval is one cell per value (few of them); a mixture where it is continuous. */
function density(hp: Hyperparameter, observed: number[]): Density {
  const n = unitCells(hp);
  return n !== null && n <= MAX_CATEGORIES ? categorical(n, observed) : gaussianMixture(observed);
}

const goodCount = (scored: number) => Math.min(25, Math.max(1, Math.ceil(GOOD_FRACTION * scored)));
const isLiar = (t: PastTrial) => t.status === 'waiting' || t.status === 'running' || t.status === 'failed' || t.status === 'pruned';

/** Splits the history: best quarter by objective is good; the rest, failures and running trials are bad. */
function split(history: PastTrial[], direction: 'max' | 'min'): { good: PastTrial[]; bad: PastTrial[] } {
  const sign = direction === 'max' ? -1 : 1;
  const scored = history.filter((t) => t.status === 'completed' && t.value !== null).sort((a, b) => sign * (a.value! - b.value!));
  const nGood = goodCount(scored.length);
  return { good: scored.slice(0, nGood), bad: [...scored.slice(nGood), ...history.filter(isLiar)] };
}

/**
 * A multi-fidelity history (trials with `epochs`), as Optuna's TPE sees pruned trials: one entry
 * per configuration, ranked first by the most epochs it completed (a promotion means it beat its
 * rung), then by its value there. A configuration with no result yet is bad while it waits or
 * runs, and a running promotion of a scored one changes nothing until it completes.
 */
function splitByFidelity(history: PastTrial[], direction: 'max' | 'min'): { good: PastTrial[]; bad: PastTrial[] } {
  const sign = direction === 'max' ? -1 : 1;
  const top = new Map<string, PastTrial>();
  for (const t of history) {
    if (t.status !== 'completed' || t.value === null) continue;
    const key = comboKey(t.hyperparameters);
    const held = top.get(key);
    if (!held || (t.epochs ?? 0) > (held.epochs ?? 0)) top.set(key, t);
  }
  const scored = [...top.values()].sort((a, b) => (b.epochs ?? 0) - (a.epochs ?? 0) || sign * (a.value! - b.value!));
  const nGood = goodCount(scored.length);
  const liars = history.filter((t) => isLiar(t) && !top.has(comboKey(t.hyperparameters)));
  return { good: scored.slice(0, nGood), bad: [...scored.slice(nGood), ...liars] };
}

/** The same by Pareto rank over each completed trial's `values`; a completed trial without them is bad. */
function splitByRank(history: PastTrial[], directions: ('max' | 'min')[]): { good: PastTrial[]; bad: PastTrial[] } {
  const scored = history.filter((t) => t.status === 'completed' && t.values != null);
  const chosen = new Set(selectByRank(scored.map((t) => t.values!), directions, goodCount(scored.length)));
  const good = scored.filter((_, i) => chosen.has(i));
  return { good, bad: history.filter((t) => !good.includes(t) && (t.status === 'completed' || isLiar(t))) };
}

/** Trials with a result the model can learn from: a value, or values on a multi-objective search. */
const hasResult = (t: PastTrial, multi: boolean) => t.status === 'completed' && (multi ? t.values != null : t.value !== null);

export class TpeOracle implements Oracle {
  suggest(input: OracleInput, count: number): HpValues[] {
    const { space, seed, history } = input;
    const multi = (input.directions?.length ?? 0) > 1;
    const fidelities = history.some((t) => t.epochs !== undefined);
    // Configurations with a result: a promotion continues one, it is not another.
    const completed = new Set(history.filter((t) => hasResult(t, multi)).map((t) => comboKey(t.hyperparameters))).size;
    const startup = input.initialRandomTrials ?? 5;
    if (completed < startup) {
      // Random until enough results; the parallel slots past the startup count still wait for them.
      return new RandomOracle().suggest(input, count);
    }
    const seen = new Set(history.map((t) => comboKey(t.hyperparameters)));
    const pending: PastTrial[] = [];
    const values: HpValues[] = [];
    for (let i = 0; i < count; i++) {
      const rand = mulberry32(mixSeed(seed, history.length + i, 0x79e));
      const all = [...history, ...pending];
      const groups = multi ? splitByRank(all, input.directions!) : fidelities ? splitByFidelity(all, input.direction ?? 'max') : split(all, input.direction ?? 'max');
      const next = this.propose(space, groups, seen, rand);
      if (!next) {
        const fallback = new RandomOracle().suggest({ ...input, history: [...history, ...pending] }, 1);
        if (fallback.length === 0) break;
        values.push(fallback[0]);
      } else {
        values.push(next);
      }
      const last = values[values.length - 1];
      seen.add(comboKey(last));
      pending.push({ hyperparameters: last, status: 'waiting', value: null });
    }
    return values;
  }

  private propose(space: SearchSpace, { good, bad }: { good: PastTrial[]; bad: PastTrial[] }, seen: Set<string>, rand: () => number): HpValues | null {
    // A conditional hyperparameter is modelled from the trials where it was active only.
    const units = (group: PastTrial[], hp: Hyperparameter) =>
      group.filter((t) => Object.hasOwn(t.hyperparameters, hp.name)).map((t) => toUnit(hp, t.hyperparameters[hp.name]));
    const models = new Map(space.map((hp) => [hp, { l: density(hp, units(good, hp)), g: density(hp, units(bad, hp)) }]));
    let best: { values: HpValues; score: number } | null = null;
    for (let c = 0; c < CANDIDATES; c++) {
      let score = 0;
      // Walks the space in order: a hyperparameter whose condition fails draws nothing and is absent.
      const values = sampleActive(space, (hp) => {
        const { l, g } = models.get(hp)!;
        const value = fromUnit(hp, l.sample(rand));
        // Score the value actually taken (its cell centre for discrete types), not the raw draw.
        const uv = toUnit(hp, value);
        score += l.logPdf(uv) - g.logPdf(uv);
        return value;
      });
      if (seen.has(comboKey(values))) continue;
      if (!best || score > best.score) best = { values, score };
    }
    return best?.values ?? null;
  }
}
