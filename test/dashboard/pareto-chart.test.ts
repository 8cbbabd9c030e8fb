import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript served as is (typed by its JSDoc, checked with tsconfig.dashboard.json)
import { objectivesOf, paretoOption } from '../../src/dashboard/pareto-chart.js';

const spec = { objectives: [{ name: 'val_accuracy', direction: 'max' }, { name: 'params', direction: 'min' }] };
const trial = (id: string, number: number, status: string, values?: Record<string, number>) =>
  ({ id, number, status, hyperparameters: {}, epochs: [], startedAt: null, finishedAt: null, ...(values ? { objectiveValues: values } : {}) });

describe('the Pareto front chart', () => {
  it('plots completed trials by the first two objectives, the front joined in order of the first', () => {
    const search = {
      id: 's', name: 's', status: 'completed', createdAt: '', spec,
      paretoFront: [{ trialId: 'b', values: {} }, { trialId: 'a', values: {} }],
    } as never;
    const trials = [
      trial('a', 1, 'completed', { val_accuracy: 0.9, params: 5000 }),
      trial('b', 2, 'completed', { val_accuracy: 0.8, params: 1000 }),
      trial('c', 3, 'completed', { val_accuracy: 0.7, params: 3000 }),
      trial('d', 4, 'running'),
    ];
    const option = paretoOption(search, trials as never) as unknown as { series: { id: string; data: { name: string; value: number[] }[] }[]; title: { show: boolean }; xAxis: { name: string } };
    const byId = Object.fromEntries(option.series.map((s) => [s.id, s.data]));
    expect(byId.front.map((p) => p.name)).toEqual(['trial 2', 'trial 1']);
    expect(byId.front[0].value.slice(0, 2)).toEqual([0.8, 1000]);
    expect(byId.others.map((p) => p.name)).toEqual(['trial 3']);
    expect(option.title.show).toBe(false);
    expect(option.xAxis.name).toBe('val_accuracy (max)');
  });

  it('applies to searches with several objectives only', () => {
    expect(objectivesOf({ spec } as never)).toHaveLength(2);
    expect(objectivesOf({ spec: { objective: { metric: 'val_accuracy' } } } as never)).toBeNull();
  });
});
