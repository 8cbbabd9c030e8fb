import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { activeValues, isActive, spaceCardinality, validateSpace, validateValues, type Hyperparameter, type SearchSpace } from '../../src/domain/hyperparameters.js';

const errorOf = (fn: () => void): ValidationError => {
  try { fn(); } catch (e) { if (e instanceof ValidationError) return e; throw e; }
  throw new Error('no error');
};

/** Keras Tuner's "choose the depth" space: conv_2 exists with 2 or 3 layers, conv_3 with 3, its kernel when conv_3 is wide. */
const depth: SearchSpace = [
  { name: 'num_conv_layers', type: 'choice', values: [1, 2, 3] },
  { name: 'conv_1_filter', type: 'int', min: 16, max: 32, step: 16 },
  { name: 'conv_2_filter', type: 'int', min: 16, max: 32, step: 16, when: { hp: 'num_conv_layers', in: [2, 3] } },
  { name: 'conv_3_filter', type: 'int', min: 16, max: 64, step: 16, when: { hp: 'num_conv_layers', in: [3] } },
  { name: 'conv_3_kernel', type: 'choice', values: [3, 5], when: { hp: 'conv_3_filter', in: [48, 64] } },
  { name: 'use_dropout', type: 'boolean' },
  { name: 'dropout', type: 'float', min: 0.1, max: 0.5, when: { hp: 'use_dropout', in: [true] } },
];

describe('conditional search spaces', () => {
  it('accepts nested conditions on earlier discrete hyperparameters', () => {
    expect(() => validateSpace(depth)).not.toThrow();
  });

  const bad: [string, Hyperparameter, string, RegExp][] = [
    ['an unknown parent', { name: 'x', type: 'boolean', when: { hp: 'ghost', in: [1] } }, 'hyperparameters[7].when.hp', /unknown hyperparameter 'ghost'/],
    ['a continuous parent', { name: 'x', type: 'boolean', when: { hp: 'dropout', in: [0.1] } }, 'hyperparameters[7].when.hp', /continuous float/],
    ['its own name', { name: 'x', type: 'boolean', when: { hp: 'x', in: [true] } }, 'hyperparameters[7].when.hp', /defined earlier/],
    ['an empty value list', { name: 'x', type: 'boolean', when: { hp: 'num_conv_layers', in: [] } }, 'hyperparameters[7].when.in', /at least one/],
    ['a value the parent never takes', { name: 'x', type: 'boolean', when: { hp: 'num_conv_layers', in: [3, 4] } }, 'hyperparameters[7].when.in[1]', /4 is not one of the values of 'num_conv_layers'/],
    ['a value of the wrong type', { name: 'x', type: 'boolean', when: { hp: 'use_dropout', in: ['true'] } }, 'hyperparameters[7].when.in[0]', /not one of/],
    ['a repeated value', { name: 'x', type: 'boolean', when: { hp: 'num_conv_layers', in: [2, 2] } }, 'hyperparameters[7].when.in[1]', /repeats/],
    ['an int off its step', { name: 'x', type: 'boolean', when: { hp: 'conv_1_filter', in: [20] } }, 'hyperparameters[7].when.in[0]', /not one of/],
  ];
  it.each(bad)('rejects %s, naming the field', (_what, hp, field, reason) => {
    const err = errorOf(() => validateSpace([...depth, hp]));
    expect(err.field).toBe(field);
    expect(err.reason).toMatch(reason);
  });

  it('rejects a parent defined after its child, saying where it is', () => {
    const err = errorOf(() => validateSpace([depth[2], depth[0]]));
    expect(err.field).toBe('hyperparameters[0].when.hp');
    expect(err.reason).toMatch(/defined earlier.*hyperparameters\[1\]/);
  });

  it('decides activity from the values taken, a parent absent making its children inactive', () => {
    expect(isActive(depth[3], { num_conv_layers: 3 })).toBe(true);
    expect(isActive(depth[3], { num_conv_layers: 2 })).toBe(false);
    expect(isActive(depth[4], { num_conv_layers: 2 })).toBe(false); // conv_3_filter is absent
    expect(isActive(depth[0], {})).toBe(true);
  });

  it('keeps only the active values, walking the space in order', () => {
    const full = { num_conv_layers: 2, conv_1_filter: 16, conv_2_filter: 32, conv_3_filter: 64, conv_3_kernel: 5, use_dropout: false, dropout: 0.2 };
    expect(activeValues(depth, full)).toEqual({ num_conv_layers: 2, conv_1_filter: 16, conv_2_filter: 32, use_dropout: false });
    expect(Object.keys(activeValues(depth, { ...full, num_conv_layers: 3 }))).toEqual(
      ['num_conv_layers', 'conv_1_filter', 'conv_2_filter', 'conv_3_filter', 'conv_3_kernel', 'use_dropout']);
    expect(activeValues(depth, { ...full, num_conv_layers: 3, conv_3_filter: 16, use_dropout: true })).not.toHaveProperty('conv_3_kernel');
  });

  it('validates values: inactive ones must be absent, active ones present', () => {
    const ok = { num_conv_layers: 2, conv_1_filter: 16, conv_2_filter: 32, use_dropout: true, dropout: 0.3 };
    expect(() => validateValues(depth, ok)).not.toThrow();
    expect(() => validateValues(depth, { num_conv_layers: 3, conv_1_filter: 16, conv_2_filter: 16, conv_3_filter: 48, conv_3_kernel: 3, use_dropout: false })).not.toThrow();

    let err = errorOf(() => validateValues(depth, { ...ok, conv_3_filter: 32 }));
    expect([err.field, err.reason]).toEqual(['hyperparameters.conv_3_filter', 'is not active when num_conv_layers=2']);
    err = errorOf(() => validateValues(depth, { ...ok, use_dropout: false }));
    expect([err.field, err.reason]).toEqual(['hyperparameters.dropout', 'is not active when use_dropout=false']);
    err = errorOf(() => validateValues(depth, { ...ok, conv_3_kernel: 3 }));
    expect([err.field, err.reason]).toEqual(['hyperparameters.conv_3_kernel', 'is not active when conv_3_filter is not active']);
    const { conv_2_filter: _, ...missing } = ok;
    expect(errorOf(() => validateValues(depth, missing)).field).toBe('hyperparameters.conv_2_filter');
    expect(errorOf(() => validateValues(depth, { ...ok, num_conv_layers: 3 })).field).toBe('hyperparameters.conv_3_filter');
  });

  it('counts the valid combinations only', () => {
    // num_conv_layers=1: 2 (conv_1); =2: 2*2; =3: 2*2*(2 + 2*2) for conv_3 16/32 without a kernel, 48/64 with one.
    const convs = 2 + 2 * 2 + 2 * 2 * (2 + 2 * 2);
    expect(spaceCardinality(depth.slice(0, 5))).toBe(convs);
    expect(spaceCardinality([...depth.slice(0, 5), depth[5]])).toBe(convs * 2);
    expect(spaceCardinality(depth)).toBe(Infinity); // dropout is continuous where it exists
    // Without conditions it is the plain product, as before.
    expect(spaceCardinality(depth.map(({ when: _, ...hp }) => hp as Hyperparameter).slice(0, 5))).toBe(3 * 2 * 2 * 4 * 2);
  });
});
