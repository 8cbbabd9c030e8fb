// What bench:parity reports per configuration and epoch: each side's mean val_accuracy over the
// seeds, their difference in points, and the difference's standard error, so that a reader can see
// whether the seeds at hand could tell a 0.3-point gap from seed noise at all.

export interface EpochParity {
  epoch: number; service: number; pytorch: number; n: number;
  /** service − PyTorch, in points (1 point = 0.01 of accuracy). */
  diffPoints: number;
  /** Standard error of the difference of means (Welch), in points; NaN with fewer than 2 seeds a side. */
  sePoints: number;
  /** |diff| ≤ the tolerance. */
  within: boolean;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample variance (n − 1). */
function variance(xs: number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

/**
 * Per epoch: `service[s][e]` and `pytorch[s][e]` are seed s's val_accuracy after epoch e + 1 (every
 * run has the same epochs). `tolerancePoints`: the 0.3.
 */
export function parityByEpoch(service: number[][], pytorch: number[][], tolerancePoints = 0.3): EpochParity[] {
  if (!service.length || !pytorch.length) throw new Error('parity needs at least one run a side');
  const epochs = service[0].length;
  if ([...service, ...pytorch].some((run) => run.length !== epochs)) throw new Error('every run must have the same number of epochs');
  return Array.from({ length: epochs }, (_, e) => {
    const a = service.map((run) => run[e]);
    const b = pytorch.map((run) => run[e]);
    const diffPoints = (mean(a) - mean(b)) * 100;
    return {
      epoch: e + 1, service: mean(a), pytorch: mean(b), n: Math.min(a.length, b.length), diffPoints,
      sePoints: Math.sqrt(variance(a) / a.length + variance(b) / b.length) * 100,
      within: Math.abs(diffPoints) <= tolerancePoints + 1e-9,
    };
  });
}
