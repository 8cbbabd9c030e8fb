// The spaces bench:search:table trains: the notebook's extended space (search-spaces.ts: depth
// and pooling as hyperparameters) made discrete and coarse enough that its whole grid, a few
// hundred configurations, trains in about two hours on two cores; and a tiny one for smoke runs.
import type { SearchRequest } from '../src/domain/search-spec.js';
import { benchSpace } from './search-spaces.js';

export type TableSpace = Pick<SearchRequest, 'hyperparameters' | 'model'>;

type Hp = SearchRequest['hyperparameters'][number];

/** benchSpace() with some hyperparameters' ranges replaced (same names, conditions and template). */
function coarsened(ranges: Record<string, Partial<Hp> & Pick<Hp, 'type'>>): TableSpace {
  const space = benchSpace();
  return { ...space, hyperparameters: space.hyperparameters.map((hp) => (ranges[hp.name] ? ({ ...hp, ...ranges[hp.name] } as Hp) : hp)) };
}

/**
 * 32 + 64 + 128 = 224 configurations: the notebook's ranges at their ends (first layer 32 or 128
 * filters, deeper ones 32 or 64, kernel 3 or 5 on the first, 3 deeper; dense units 32 or 128),
 * both learning rates, pooling or not. Sized by timing (see bench/RESULTS.md): 336 was over 2 hours.
 */
export function fullTableSpace(): TableSpace {
  return coarsened({
    conv_1_filter: { type: 'int', min: 32, max: 128, step: 96 },
    conv_2_filter: { type: 'int', min: 32, max: 64, step: 32 },
    conv_2_kernel: { type: 'choice', values: [3] },
    conv_3_filter: { type: 'int', min: 32, max: 64, step: 32 },
    conv_3_kernel: { type: 'choice', values: [3] },
    dense_1_units: { type: 'int', min: 32, max: 128, step: 96 },
  });
}

/** 3 x 2 x 3 = 18 configurations (depth 1-3, pooling, learning rate; 32 filters, kernel 3, 32 units), for smoke runs and the pipeline's demo. */
export function tinyTableSpace(): TableSpace {
  return coarsened({
    conv_1_filter: { type: 'choice', values: [32] },
    conv_1_kernel: { type: 'choice', values: [3] },
    conv_2_filter: { type: 'choice', values: [32] },
    conv_2_kernel: { type: 'choice', values: [3] },
    conv_3_filter: { type: 'choice', values: [32] },
    conv_3_kernel: { type: 'choice', values: [3] },
    dense_1_units: { type: 'choice', values: [32] },
    learning_rate: { type: 'choice', values: [0.01, 0.001, 0.0001] },
  });
}
