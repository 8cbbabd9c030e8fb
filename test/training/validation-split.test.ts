import { describe, expect, it } from 'vitest';
import { splitValidation } from '../../src/training/validation-split.js';

describe('splitValidation (Keras validation_split)', () => {
  it('takes the last fraction as validation', () => {
    expect(splitValidation(20_000, 0.1)).toEqual({ trainCount: 18_000, valCount: 2_000 });
    expect(splitValidation(60_000, 0.2)).toEqual({ trainCount: 48_000, valCount: 12_000 });
    expect(splitValidation(10, 0.25)).toEqual({ trainCount: 7, valCount: 3 }); // int(7.5) = 7
    expect(splitValidation(3, 0.3)).toEqual({ trainCount: 2, valCount: 1 }); // int(2.1) = 2
    expect(splitValidation(5, 0)).toEqual({ trainCount: 5, valCount: 0 });
    expect(() => splitValidation(5, 1)).toThrow();
  });
});
