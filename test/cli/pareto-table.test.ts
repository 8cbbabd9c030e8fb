import { describe, expect, it } from 'vitest';
import { paretoFrontText } from '../../src/cli/pareto-table.js';

const spec = { objectives: [{ name: 'val_accuracy', direction: 'max' }, { name: 'params', direction: 'min' }] };

describe('the Pareto front table', () => {
  it('lists the front by trial number, best primary value first, a column per objective', () => {
    const text = paretoFrontText({
      spec, paretoFront: [
        { trialId: 'a', values: { val_accuracy: 0.81, params: 1200 } },
        { trialId: 'b', values: { val_accuracy: 0.9, params: 50000 } },
      ],
    }, new Map([['a', 3], ['b', 7]]));
    expect(text.split('\n')).toEqual([
      'Pareto front (val_accuracy max, params min): 2 trials',
      'trial  val_accuracy  params',
      '-----  ------------  ------',
      '    7        0.9000   50000',
      '    3        0.8100    1200',
      '',
    ]);
  });

  it('says when no trial completed, and prints nothing for a single-objective search', () => {
    expect(paretoFrontText({ spec, paretoFront: [] })).toBe('Pareto front: no completed trial yet\n');
    expect(paretoFrontText({ spec: { objective: { metric: 'val_accuracy' } } })).toBe('');
  });
});
