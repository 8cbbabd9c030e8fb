import { describe, expect, it } from 'vitest';
import { validateSpace } from '../../src/domain/hyperparameters.js';
import { resolveTemplate } from '../../src/domain/model-template.js';
import { gridOf, modelKey } from '../../bench/curve-table.js';
import { fullTableSpace, tinyTableSpace } from '../../bench/table-spaces.js';

describe('the spaces bench:search:table trains', () => {
  it.each([['full', fullTableSpace(), 224], ['tiny', tinyTableSpace(), 18]] as const)('%s: a valid space, its grid the expected number of configurations, each its own model', (_, space, size) => {
    expect(() => validateSpace(space.hyperparameters)).not.toThrow();
    const grid = gridOf(space);
    expect(grid).toHaveLength(size);
    expect(new Set(grid.map((hp) => modelKey(resolveTemplate(space.model, hp)))).size).toBe(size);
  });
});
