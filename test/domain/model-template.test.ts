import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { describeArchitecture } from '../../src/domain/model-summary.js';
import { activeLayerIndices, resolveTemplate, templateRefs, type ModelTemplate } from '../../src/domain/model-template.js';
import { depthTemplate } from '../fixtures/conditional-spaces.js';

const values = (n: number, extra: Record<string, number | boolean> = {}) => ({
  num_conv_layers: n, conv_1_filter: 16, ...(n >= 2 ? { conv_2_filter: 32 } : {}), ...(n >= 3 ? { conv_3_filter: 32 } : {}),
  use_dropout: false, learning_rate: 0.001, ...extra,
});

describe('conditional layers', () => {
  it('num_conv_layers chooses the depth: a layer exists only when its condition holds', () => {
    const template = depthTemplate();
    for (const n of [1, 2, 3]) {
      const model = resolveTemplate(template, values(n));
      expect(model.layers.filter((l) => l.type === 'conv2d')).toHaveLength(n);
      expect(model.layers.map((l) => l.type)).toEqual([...Array(n).fill('conv2d'), 'maxPooling2d', 'flatten', 'dense']);
    }
    expect(activeLayerIndices(template, values(2))).toEqual([0, 1, 3, 4, 6]);
    const withDropout = resolveTemplate(template, values(1, { use_dropout: true, dropout_rate: 0.25 }));
    expect(withDropout.layers.map((l) => l.type)).toEqual(['conv2d', 'maxPooling2d', 'flatten', 'dropout', 'dense']);
    expect(withDropout.layers[3]).toEqual({ type: 'dropout', rate: 0.25 });
  });

  it('describes the resolved model like Keras summary(): names and parameters of the layers that exist', () => {
    const summary = (n: number) => describeArchitecture(resolveTemplate(depthTemplate(), values(n)));
    // conv 3x3x1x16+16 = 160; 28 -> 26 -> pool 13: 13*13*16 = 2704 inputs to a 10-unit dense.
    expect(summary(1).layers.map((l) => [l.name, l.outputShape, l.params])).toEqual([
      ['conv2d', [null, 26, 26, 16], 160],
      ['max_pooling2d', [null, 13, 13, 16], 0],
      ['flatten', [null, 2704], 0],
      ['dense', [null, 10], 27050],
    ]);
    expect(summary(1).totalParams).toBe(27210);
    // + conv 3x3x16x32+32 = 4640; 24 -> pool 12: 4608 inputs.
    expect(summary(2).totalParams).toBe(160 + 4640 + 46090);
    // + conv 3x3x32x32+32 = 9248; 22 -> pool 11: 3872 inputs.
    const three = summary(3);
    expect(three.layers.map((l) => l.name)).toEqual(['conv2d', 'conv2d_1', 'conv2d_2', 'max_pooling2d', 'flatten', 'dense']);
    expect(three.totalParams).toBe(160 + 4640 + 9248 + 38730);
  });

  it("names the template's layer in a shape error, not the resolved model's", () => {
    const template = depthTemplate();
    template.layers[6] = { type: 'dense', units: 10, activation: 'bogus' as never };
    const layers = activeLayerIndices(template, values(1));
    try {
      describeArchitecture(resolveTemplate(template, values(1)), undefined, layers);
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).field).toBe('model.layers[6].activation');
    }
  });

  it("lists a layer's condition and its fields as references, each with the layer's condition", () => {
    const refs = templateRefs(depthTemplate());
    expect(refs).toContainEqual({ name: 'num_conv_layers', path: 'model.layers[2].when.hp', when: { hp: 'num_conv_layers', in: [3] }, condition: true });
    expect(refs).toContainEqual({ name: 'conv_3_filter', path: 'model.layers[2].filters', when: { hp: 'num_conv_layers', in: [3] } });
    expect(refs).toContainEqual({ name: 'learning_rate', path: 'model.optimizer.learningRate' });
    expect(refs.some((r) => r.path.endsWith('.when'))).toBe(false);
  });

  it('keeps unconditional templates as they were', () => {
    const template: ModelTemplate = { ...depthTemplate(), layers: depthTemplate().layers.map(({ when: _, ...l }) => l) as ModelTemplate['layers'] };
    expect(resolveTemplate(template, { ...values(3), use_dropout: true, dropout_rate: 0.1 }).layers).toHaveLength(7);
  });
});
