// Parzen estimators over a grid of cells (Optuna's _ScottParzenEstimator, read not copied): from
// how many trials fell in each cell, a probability for every cell. Observed cells each get a kernel
// weighted by their count, and a prior kernel of weight PRIOR_WEIGHT spreads some mass everywhere,
// so a cell no trial hit is unlikely but never impossible (the divergence divides by it).

const PRIOR_WEIGHT = 1;

/** Φ(x) by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): ample for kernel masses. */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return 0.5 * (1 + (x < 0 ? -erf : erf));
}

/** Kernels at the observed cells (weights: their counts) and the prior's (weight PRIOR_WEIGHT), normalized. */
function mixture(counts: number[]): { cells: number[]; weights: number[] } {
  const cells = counts.flatMap((c, k) => (c > 0 ? [k] : []));
  const raw = [...cells.map((k) => counts[k]), PRIOR_WEIGHT];
  const total = raw.reduce((a, b) => a + b, 0);
  return { cells, weights: raw.map((w) => w / total) };
}

/**
 * Ordered cells (a numeric range cut in a grid): a Gaussian at each observed cell, discretized to
 * the cells and truncated to the grid, its bandwidth by Scott's rule (Optuna's TPE bandwidth is too
 * wide for this), and a wide prior Gaussian at the grid's centre.
 */
export function numericPmf(counts: number[]): number[] {
  const size = counts.length;
  const { cells, weights } = mixture(counts);
  const n = counts.reduce((a, b) => a + b, 0);
  const sigmas: number[] = [];
  if (n > 0) {
    const mean = cells.reduce((s, k) => s + k * counts[k], 0) / n;
    const sd = Math.sqrt(cells.reduce((s, k) => s + counts[k] * (k - mean) ** 2, 0) / Math.max(1, n - 1));
    const sigma = 1.059 * Math.min(interQuartileRange(cells, counts, n) / 1.34, sd) * n ** -0.2;
    // At least 0.5 / 1.64: 90 % of a kernel's mass stays within its own cell's width.
    sigmas.push(...cells.map(() => Math.max(sigma, 0.5 / 1.64)));
  }
  const mus = [...cells, (size - 1) / 2];
  sigmas.push(size);
  const pmf = new Array<number>(size).fill(0);
  mus.forEach((mu, i) => {
    const s = sigmas[i];
    const inGrid = normalCdf((size - 0.5 - mu) / s) - normalCdf((-0.5 - mu) / s);
    for (let k = 0; k < size; k++) pmf[k] += (weights[i] * (normalCdf((k + 0.5 - mu) / s) - normalCdf((k - 0.5 - mu) / s))) / inGrid;
  });
  return pmf;
}

/** Cells from the first quartile's to the third's, counting each trial (numpy searchsorted left / right, as Optuna). */
function interQuartileRange(cells: number[], counts: number[], n: number): number {
  let cumulative = 0;
  let q25 = -1;
  let q75 = -1;
  cells.forEach((k, i) => {
    cumulative += counts[k];
    if (q25 < 0 && cumulative >= Math.floor(n / 4)) q25 = i;
    if (q75 < 0 && cumulative > Math.floor((3 * n) / 4)) q75 = i;
  });
  return cells[q75 < 0 ? cells.length - 1 : q75] - cells[Math.max(0, q25)];
}

/**
 * Unordered cells (a choice's values): each observed cell's kernel puts 1 on itself and
 * PRIOR_WEIGHT / (observed cells + 1) on every cell, normalized; the prior's kernel is uniform.
 */
export function categoricalPmf(counts: number[]): number[] {
  const size = counts.length;
  const { cells, weights } = mixture(counts);
  const spread = PRIOR_WEIGHT / (cells.length + 1);
  const rowTotal = 1 + spread * size;
  const pmf = new Array<number>(size).fill(weights.at(-1)! / size);
  cells.forEach((cell, i) => {
    for (let k = 0; k < size; k++) pmf[k] += (weights[i] * (spread + (k === cell ? 1 : 0))) / rowTotal;
  });
  return pmf;
}
