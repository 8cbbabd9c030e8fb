import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import type { SearchSpace } from '../../src/domain/hyperparameters.js';
import { normalizeSpec, validateSpec, type SearchRequest } from '../../src/domain/search-spec.js';
import { cornerCombos, unmetCondition } from '../../src/domain/template-conditions.js';
import { DEPTH_SPACE, depthSearch, depthTemplate } from '../fixtures/conditional-spaces.js';

const limits = { maxTrialsPerSearch: 100, maxEpochs: 50, maxParallelTrials: 8, maxParams: 50_000_000, maxBatchMemoryMb: 4096 };
const errorOf = (req: SearchRequest): ValidationError => {
  try { validateSpec(normalizeSpec(req, () => 1), limits); } catch (e) { if (e instanceof ValidationError) return e; throw e; }
  throw new Error('expected a ValidationError');
};

describe('templates over conditional spaces', () => {
  it('accepts a search that chooses its depth', () => {
    expect(() => validateSpec(normalizeSpec(depthSearch(), () => 1), limits)).not.toThrow();
  });

  it('rejects a field whose hyperparameter may be inactive while its layer exists, naming the field', () => {
    let req = depthSearch();
    delete req.model.layers[2].when;
    let err = errorOf(req);
    expect(err.field).toBe('model.layers[2].filters');
    expect(err.reason).toMatch(/'conv_3_filter', which exists only when num_conv_layers is one of \[3\]/);

    req = depthSearch();
    req.model.layers[2].when = { hp: 'num_conv_layers', in: [2, 3] };
    expect(errorOf(req).field).toBe('model.layers[2].filters');

    req = depthSearch();
    req.model.optimizer.learningRate = { hp: 'dropout_rate' };
    err = errorOf(req);
    expect(err.field).toBe('model.optimizer.learningRate');
    expect(err.reason).toMatch(/optimizer always exists/);
  });

  it("accepts a field active wherever its layer is: a narrower condition, or the parent's whole value list", () => {
    const req = depthSearch();
    req.model.layers[2] = { type: 'conv2d', filters: { hp: 'conv_2_filter' }, kernelSize: 3, when: { hp: 'num_conv_layers', in: [3] } };
    expect(() => validateSpec(normalizeSpec(req, () => 1), limits)).not.toThrow();
    const space: SearchSpace = [...DEPTH_SPACE, { name: 'units', type: 'int', min: 8, max: 16, step: 8, when: { hp: 'use_dropout', in: [false, true] } }];
    expect(unmetCondition(space, undefined, 'units')).toBeUndefined();
    expect(unmetCondition(space, undefined, 'conv_3_filter')).toEqual({ hp: 'num_conv_layers', in: [3] });
    expect(unmetCondition(space, { hp: 'conv_3_filter', in: [16] }, 'conv_2_filter')).toBeUndefined(); // conv_3 implies 3 layers
  });

  const badWhen: [string, unknown, string, RegExp][] = [
    ['an unknown hyperparameter', { hp: 'ghost', in: [1] }, 'model.layers[1].when.hp', /unknown hyperparameter 'ghost'/],
    ['a continuous one', { hp: 'learning_rate', in: [0.001] }, 'model.layers[1].when.hp', /continuous/],
    ['a value it never takes', { hp: 'num_conv_layers', in: [2, 4] }, 'model.layers[1].when.in[1]', /4 is not one of/],
  ];
  it.each(badWhen)("rejects a layer's condition on %s", (_what, when, field, reason) => {
    const req = depthSearch();
    req.model.layers[1].when = when as never;
    const err = errorOf(req);
    expect(err.field).toBe(field);
    expect(err.reason).toMatch(reason);
  });

  it('checks shapes on valid combinations, conditional layers included, naming the template layer', () => {
    const req = depthSearch();
    // 28 -> 26 -> 24: a third conv with a 25x25 kernel only breaks when there are three layers.
    req.model.layers[2] = { type: 'conv2d', filters: { hp: 'conv_3_filter' }, kernelSize: 25, when: { hp: 'num_conv_layers', in: [3] } };
    const err = errorOf(req);
    expect(err.field).toBe('model.layers[2].kernelSize');
    expect(err.reason).toMatch(/larger than its 24x24 input/);
  });

  it("switches conditions on even when a parent's extremes would not (many values)", () => {
    const req = depthSearch();
    req.hyperparameters[0] = { name: 'num_conv_layers', type: 'int', min: 1, max: 20 };
    req.model.layers[1].when = { hp: 'num_conv_layers', in: [11] };
    req.model.layers[2] = { type: 'conv2d', filters: { hp: 'conv_3_filter' }, kernelSize: 27, when: { hp: 'num_conv_layers', in: [17] } };
    req.hyperparameters[2].when = { hp: 'num_conv_layers', in: [11] };
    req.hyperparameters[3].when = { hp: 'num_conv_layers', in: [17] };
    expect(errorOf(req).field).toBe('model.layers[2].kernelSize');
  });

  it('names the last template layer when a conditional output layer is absent', () => {
    const req = depthSearch();
    req.model.layers[6].when = { hp: 'use_dropout', in: [true] };
    const err = errorOf(req);
    expect(err.field).toBe('model.layers[4]');
    expect(err.reason).toMatch(/must output 10 classes/);
  });

  it('rejects a combination where no layer exists', () => {
    const req = depthSearch();
    req.model.layers = [{ type: 'dense', units: 10, activation: 'softmax', when: { hp: 'use_dropout', in: [true] } }];
    req.model.inputShape = [28, 28, 1];
    expect(errorOf(req).field).toBe('model.layers');
  });

  it('corner combinations are valid points of the space, each once', () => {
    const combos = [...cornerCombos(DEPTH_SPACE, depthTemplate(), ['conv_1_filter', 'conv_2_filter', 'conv_3_filter', 'dropout_rate', 'num_conv_layers', 'use_dropout'], 1000)];
    const keys = combos.map((c) => JSON.stringify(c));
    expect(new Set(keys).size).toBe(keys.length);
    for (const c of combos) {
      expect('conv_3_filter' in c).toBe(c.num_conv_layers === 3);
      expect('dropout_rate' in c).toBe(c.use_dropout === true);
    }
    expect(new Set(combos.map((c) => c.num_conv_layers))).toEqual(new Set([1, 2, 3]));
  });
});
