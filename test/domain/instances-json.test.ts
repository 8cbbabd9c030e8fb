// A prediction body decoded in one step from its bytes (as an inference thread does it): the batch
// instancesToBatch gives for the parsed body, its errors, and every body the HTTP layer's own
// parser must answer instead.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { decodeInstancesJson, DecodedInstances, type InstancesJsonSpec } from '../../src/domain/instances-json.js';
import { instancesToBatch } from '../../src/domain/instances.js';

const SPEC: InstancesJsonSpec = { inputShape: [28, 28, 1], pixelMax: 255, maxInstances: 8, scan: { depth: 64, values: 100_000, tokenBytes: 64 } };
const img = (seed: number) => Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => (seed * 31 + y * 28 + x) % 256));
const bytes = (body: unknown) => new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));

describe('decodeInstancesJson', () => {
  it('gives the batch instancesToBatch gives for the parsed body, 28x28 and 28x28x1 alike', () => {
    const instances = [img(1), img(2).map((r) => r.map((v) => [v])), img(3)];
    const got = decodeInstancesJson(bytes({ instances }), SPEC);
    expect(got).toEqual({ batch: instancesToBatch(instances, [28, 28, 1], 255, 8), count: 3 });
    // A byte-order mark and whitespace, as JSON.parse of Fastify's parser accepts them.
    const spaced = decodeInstancesJson(bytes(`\uFEFF {\n "instances" : ${JSON.stringify(instances)} }\n`), SPEC);
    expect('batch' in spaced && spaced.count).toBe(3);
  });

  it('throws instancesToBatch\'s errors, naming the element', () => {
    const bad = img(4);
    bad[27][5] = 256;
    expect(() => decodeInstancesJson(bytes({ instances: [img(1), bad] }), SPEC)).toThrow(new ValidationError('instances[1][27][5]', 'must be a number from 0 to 255, got 256'));
    expect(() => decodeInstancesJson(bytes({ instances: Array.from({ length: 9 }, () => img(0)) }), SPEC)).toThrow(/at most 8 instances/);
    expect(() => decodeInstancesJson(bytes({ instances: [img(0).slice(1)] }), SPEC)).toThrow(/instances\[0\]: must be a 28x28/);
  });

  it.each([
    ['malformed JSON', `{"instances": [${JSON.stringify(img(0))}`],
    ['a __proto__ key', `{"instances": [${JSON.stringify(img(0))}], "__proto__": {"x": 1}}`],
    ['a constructor key', `{"instances": [${JSON.stringify(img(0))}], "constructor": {"prototype": {"x": 1}}}`],
    ['a second property', { instances: [img(0)], extra: 1 }],
    ['no instances', { images: [img(0)] }],
    ['instances not an array', { instances: { 0: img(0) } }],
    ['no instance', { instances: [] }],
    ['an array body', [img(0)]],
    ['null', 'null'],
    ['more values than the route takes', { instances: Array.from({ length: 200 }, () => img(0)) }],
    ['too deep', `{"instances": ${'['.repeat(70)}${']'.repeat(70)}}`],
    ['too long a token', { instances: [img(0)], x: 'y'.repeat(100) }],
  ])('hands %s back to the event loop\'s parser', (_, body) => {
    const got = decodeInstancesJson(bytes(body), SPEC);
    expect(got).toHaveProperty('parseOnLoop');
    expect(got).not.toHaveProperty('batch');
  });
});

describe('DecodedInstances', () => {
  it('is, to a schema, the non-empty array of as many instances, and carries the batch', () => {
    const batch = new Float32Array(3 * 784);
    const d = new DecodedInstances(batch, 3);
    expect(Array.isArray(d)).toBe(true);
    expect(d.length).toBe(3);
    expect(d.batch).toBe(batch);
    expect(d.map((x) => x)).not.toBeInstanceOf(DecodedInstances); // a plain array, not one without a batch
  });
});
