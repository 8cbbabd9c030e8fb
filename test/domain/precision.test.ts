// training.precision as the domain sees it: its values, its default, and the 400 a deployment
// that cannot train it gives (the reason comes from the deployment: src/training/precision-support.ts).
import { describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { checkPrecisionSupport, precisionOf, validatePrecision, type Precision } from '../../src/domain/precision.js';
import { normalizeSpec, validateSpec } from '../../src/domain/search-spec.js';
import { referenceSearch } from '../fixtures/reference-search.js';

const limits = { maxTrialsPerSearch: 100, maxEpochs: 50, maxParallelTrials: 8, maxParams: 50_000_000, maxBatchMemoryMb: 4096 };
const withPrecision = (precision?: string) => ({ training: { precision: precision as Precision | undefined } });

describe('training.precision', () => {
  it("defaults to fp32 and is stored only when given, so specs without it read as before", () => {
    const plain = normalizeSpec(referenceSearch(), () => 1);
    expect('precision' in plain.training).toBe(false);
    expect(precisionOf(plain)).toBe('fp32');
    const bf16 = normalizeSpec(referenceSearch({ training: { epochs: 2, precision: 'bf16' } }), () => 1);
    expect(bf16.training.precision).toBe('bf16');
    expect(() => validateSpec(bf16, limits)).not.toThrow();
  });

  it('accepts fp32 and bf16 and names the field for anything else', () => {
    for (const p of [undefined, 'fp32', 'bf16']) expect(() => validatePrecision(withPrecision(p))).not.toThrow();
    const err = (() => { try { validatePrecision(withPrecision('fp16')); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ field: 'training.precision', reason: "must be one of 'fp32', 'bf16'" });
  });

  it("is a 400 naming training.precision and the deployment's reason where it cannot train bf16", () => {
    const support = vi.fn((p: Precision) => `'${p}' needs the native backend; TRAINING_BACKEND is 'wasm'`);
    expect(() => checkPrecisionSupport(withPrecision('bf16'), support)).toThrow(new ValidationError('training.precision', "'bf16' needs the native backend; TRAINING_BACKEND is 'wasm'"));
    // fp32 never asks; a deployment that cannot know (no support given, or one that answers undefined) accepts.
    checkPrecisionSupport(withPrecision(undefined), support);
    checkPrecisionSupport(withPrecision('fp32'), support);
    expect(support).toHaveBeenCalledTimes(1);
    expect(() => checkPrecisionSupport(withPrecision('bf16'), undefined)).not.toThrow();
    expect(() => checkPrecisionSupport(withPrecision('bf16'), () => undefined)).not.toThrow();
  });
});
