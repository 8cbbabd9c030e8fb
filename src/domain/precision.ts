// training.precision: the arithmetic a trial's heavy kernels use. 'fp32' everywhere; 'bf16' is
// mixed precision (bf16 convolutions and matrix products, float32 weights, optimizer state, loss
// and everything else, as PyTorch's CPU autocast), which only some backends on some CPUs run.
import { ValidationError } from './errors.js';

export const PRECISIONS = ['fp32', 'bf16'] as const;
export type Precision = (typeof PRECISIONS)[number];
/** A spec, as far as precision goes (search-spec.ts imports this file, so not SearchSpec itself). */
interface WithPrecision { training: { precision?: Precision } }

/**
 * Why this deployment cannot train in `precision` (a sentence that names the reason), or undefined
 * when it can, or when only a worker can know (it chose its backend at start): its trials then
 * fail with the reason instead (src/training/precision-support.ts).
 */
export type PrecisionSupport = (precision: Precision) => string | undefined;

export const isPrecision = (v: string): v is Precision => (PRECISIONS as readonly string[]).includes(v);

/** The spec's precision; absent means fp32 (specs stored before the setting existed have none). */
export const precisionOf = (spec: WithPrecision): Precision => spec.training.precision ?? 'fp32';

/** The value itself (the schema checks it too; the domain does not rely on that). */
export function validatePrecision(spec: WithPrecision): void {
  const p = spec.training.precision;
  if (p !== undefined && !isPrecision(p))
    throw new ValidationError('training.precision', `must be one of ${PRECISIONS.map((v) => `'${v}'`).join(', ')}`);
}

/** A 400 naming training.precision when this deployment is known not to support it. */
export function checkPrecisionSupport(spec: WithPrecision, support: PrecisionSupport | undefined): void {
  const precision = precisionOf(spec);
  if (precision === 'fp32' || !support) return;
  const why = support(precision);
  if (why) throw new ValidationError('training.precision', why);
}
