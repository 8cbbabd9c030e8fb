// Summaries the benchmarks print.
export const mib = (kib: number) => (kib / 1024).toFixed(1);
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
export const median = (xs: number[]) => quantile(xs, 0.5);

/**
 * "median (min–max)" of repeated measurements, or the single value when there is one; '–' for none.
 * An even count takes the lower middle (quantile's rule): a reported median is a measured value.
 */
export function spread(xs: number[], digits = 1): string {
  if (!xs.length) return '–';
  const f = (x: number) => x.toFixed(digits);
  return xs.length === 1 ? f(xs[0]) : `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
}
