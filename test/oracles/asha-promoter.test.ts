import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlgorithmSettings } from '../../src/domain/algorithms.js';
import { comboKey, spaceCardinality, type HpValues, type SearchSpace } from '../../src/domain/hyperparameters.js';
import type { PromoterInput, RungTrial } from '../../src/domain/oracle.js';
import type { TrialHistoryEntry as TrialHistoryEntry } from '../../src/domain/schedule.js';
import { normalizeSpec } from '../../src/domain/search-spec.js';
import { isFinalTrialStatus } from '../../src/domain/trial-state.js';
import { AshaPromoter, ashaRungs } from '../../src/oracles/asha-promoter.js';
import { referenceSearch } from '../fixtures/reference-search.js';
import { better, simulate } from './simulate.js';

// Rungs at 1, 3 and 9 epochs; the top third of a rung's completed trials goes on.
const settings: AlgorithmSettings = { name: 'asha', seed: 1, minEpochs: 1, maxEpochs: 9, reductionFactor: 3 };
const RUNGS = [1, 3, 9];

function sampler(limit = Infinity) {
  let n = 0;
  return (count: number): HpValues[] => Array.from({ length: Math.max(0, Math.min(count, limit - n)) }, () => ({ x: n++ }));
}
let nextId = 0;
function rt(rung: number, status: RungTrial['status'], value: number | null = null, extra: Partial<RungTrial> = {}): RungTrial {
  const id = extra.id ?? `a${++nextId}`;
  return {
    id, hyperparameters: { x: id }, status, value, targetEpochs: RUNGS[rung], initialEpoch: rung === 0 ? 0 : RUNGS[rung - 1],
    parentTrialId: null, bracket: null, rung, ...extra,
  };
}
const input = (history: RungTrial[], over: Partial<PromoterInput> = {}): PromoterInput =>
  ({ settings, direction: 'max', history, sample: sampler(), ...over });
const asha = new AshaPromoter();

describe('ashaRungs', () => {
  it('multiplies minEpochs by the reduction factor up to maxEpochs, which is always the last rung', () => {
    expect(ashaRungs({ minEpochs: 1, maxEpochs: 9, reductionFactor: 3 })).toEqual([1, 3, 9]);
    expect(ashaRungs({ minEpochs: 1, maxEpochs: 10, reductionFactor: 3 })).toEqual([1, 3, 9, 10]);
    expect(ashaRungs({ minEpochs: 2, maxEpochs: 20, reductionFactor: 2 })).toEqual([2, 4, 8, 16, 20]);
    expect(ashaRungs({ minEpochs: 1, maxEpochs: 81, reductionFactor: 3 })).toEqual([1, 3, 9, 27, 81]);
    expect(ashaRungs({ minEpochs: 5, maxEpochs: 5, reductionFactor: 3 })).toEqual([5]);
  });
});

describe('AshaPromoter', () => {
  it('starts new configurations at the lowest rung', () => {
    const proposals = asha.propose(input([]), 2);
    expect(proposals).toEqual([0, 1].map((x) => ({ hyperparameters: { x }, targetEpochs: 1, initialEpoch: 0, rung: 0 })));
  });

  it('promotes the top floor(n/η) completed trials of a rung and fills the other slots with new configurations', () => {
    const rung0 = [0.1, 0.6, 0.3, 0.5, 0.2, 0.4].map((v) => rt(0, 'completed', v));
    const proposals = asha.propose(input([...rung0, rt(0, 'running')]), 3);
    expect(proposals).toEqual([
      { hyperparameters: rung0[1].hyperparameters, parentTrialId: rung0[1].id, initialEpoch: 1, targetEpochs: 3, rung: 1 },
      { hyperparameters: rung0[3].hyperparameters, parentTrialId: rung0[3].id, initialEpoch: 1, targetEpochs: 3, rung: 1 },
      { hyperparameters: { x: 0 }, targetEpochs: 1, initialEpoch: 0, rung: 0 },
    ]);
    // For a loss the smallest values go on.
    expect(asha.propose(input(rung0, { direction: 'min' }), 2).map((p) => p.parentTrialId)).toEqual([rung0[0].id, rung0[4].id]);
  });

  it('never waits for a rung to fill: too few completed trials means new configurations', () => {
    const history = [rt(0, 'completed', 0.9), rt(0, 'completed', 0.8), rt(0, 'running'), rt(0, 'running')];
    const proposals = asha.propose(input(history), 2);
    expect(proposals.every((p) => !p.parentTrialId && p.rung === 0)).toBe(true);
    expect(proposals).toHaveLength(2);
  });

  it('counts only completed trials of a rung: pruned and failed ones neither rank nor count', () => {
    const history = [rt(0, 'completed', 0.5), rt(0, 'completed', 0.4), rt(0, 'pruned', 0.99), rt(0, 'failed')];
    expect(asha.propose(input(history), 1)[0].parentTrialId).toBeUndefined();
    history.push(rt(0, 'completed', 0.3));
    expect(asha.propose(input(history), 1)[0].parentTrialId).toBe(history[0].id);
  });

  it('promotes from the highest rung first and never promotes a trial twice', () => {
    const rung0 = [0.1, 0.2, 0.3].map((v) => rt(0, 'completed', v));
    const rung1 = [0.5, 0.7, 0.6].map((v, i) => rt(1, 'completed', v, { parentTrialId: `p${i}` }));
    const proposals = asha.propose(input([...rung0, ...rung1]), 1);
    expect(proposals).toMatchObject([{ parentTrialId: rung1[1].id, rung: 2, initialEpoch: 3, targetEpochs: 9 }]);
    const child = rt(2, 'running', null, { parentTrialId: rung1[1].id });
    const next = asha.propose(input([...rung0, ...rung1, child]), 2);
    expect(next.map((p) => p.parentTrialId)).toEqual([rung0[2].id, undefined]);
  });

  it('never promotes past the last rung', () => {
    const top = [0.9, 0.8, 0.7].map((v) => rt(2, 'completed', v));
    expect(asha.propose(input(top, { sample: sampler(0) }), 2)).toEqual([]);
  });

  it('proposes nothing while the sampler is dry and nothing is promotable', () => {
    const done = [rt(0, 'completed', 0.1), rt(0, 'completed', 0.2)];
    expect(asha.propose(input(done, { sample: sampler(0) }), 2)).toEqual([]);
    // Nor while a trial runs: it may make one of them promotable, but only once it completes.
    expect(asha.propose(input([...done, rt(0, 'running')], { sample: sampler(0) }), 2)).toEqual([]);
    const three = [...done, rt(0, 'completed', 0.3)];
    expect(asha.propose(input(three, { sample: sampler(0) }), 2)).toMatchObject([{ parentTrialId: three[2].id }]);
  });
});

const SMALL: SearchSpace = [
  { name: 'conv_1_filter', type: 'int', min: 32, max: 64, step: 16 },
  { name: 'learning_rate', type: 'choice', values: [0.01, 0.001] },
];

describe('asha searches through planNext (properties)', () => {
  const shape = fc.record({
    minEpochs: fc.integer({ min: 1, max: 3 }), extra: fc.integer({ min: 0, max: 30 }), eta: fc.integer({ min: 2, max: 4 }),
    slots: fc.integer({ min: 1, max: 4 }), maxTrials: fc.integer({ min: 1, max: 40 }), seed: fc.integer({ min: 0, max: 1e6 }),
    small: fc.boolean(), failRate: fc.constantFrom(0, 0, 0.2), metric: fc.constantFrom('val_accuracy' as const, 'val_loss' as const),
  });

  it('promotes only the top of a rung, never twice, never idles while a configuration can be sampled, and ends', () => {
    fc.assert(fc.property(shape, (a) => {
      const req = referenceSearch({
        algorithm: { name: 'asha', seed: a.seed, minEpochs: a.minEpochs, maxEpochs: a.minEpochs + a.extra, reductionFactor: a.eta },
        budget: { maxTrials: a.maxTrials, maxParallelTrials: a.slots }, objective: { metric: a.metric },
      });
      if (a.small) req.hyperparameters = SMALL;
      const spec = normalizeSpec(req, () => 1);
      const rungs = ashaRungs(spec.algorithm);
      const dir = spec.objective.direction;
      const cardinality = spaceCardinality(spec.hyperparameters);
      const { trials, finalStatus } = simulate(spec, {
        seed: a.seed, failRate: a.failRate, noise: 0.02,
        onPlan(before, plan, after) {
          const byId = new Map(before.map((t) => [t.id, t]));
          for (const p of plan.newTrials) {
            expect(p.targetEpochs).toBe(rungs[p.rung!]);
            if (!p.parentTrialId) {
              expect(p).toMatchObject({ rung: 0, initialEpoch: 0 });
              continue;
            }
            const parent = byId.get(p.parentTrialId)!;
            expect(parent.status).toBe('completed');
            expect(p).toMatchObject({ rung: parent.rung! + 1, initialEpoch: parent.targetEpochs, hyperparameters: parent.hyperparameters });
            const peers = before.filter((t) => t.rung === parent.rung && t.status === 'completed');
            expect(peers.filter((t) => better(t.value, parent.value, dir)).length).toBeLessThan(Math.floor(peers.length / a.eta));
          }
          const configs = after.filter((t) => t.parentTrialId === null);
          const active = after.filter((t) => !isFinalTrialStatus(t.status)).length;
          if (!plan.finalStatus && active < a.slots) expect(configs.length >= a.maxTrials || configs.length >= cardinality).toBe(true);
        },
      });
      expect(finalStatus).not.toBeNull();
      const parents = trials.flatMap((t) => (t.parentTrialId ? [t.parentTrialId] : []));
      expect(new Set(parents).size).toBe(parents.length);
      const configs = trials.filter((t) => t.parentTrialId === null);
      expect(configs.length).toBeLessThanOrEqual(a.maxTrials);
      expect(new Set(configs.map((t) => comboKey(t.hyperparameters))).size).toBe(configs.length);
      // Nothing left behind: at the end every trial in the top of its rung has gone on.
      for (let k = 0; k < rungs.length - 1; k++) {
        const done = trials.filter((t) => t.rung === k && t.status === 'completed');
        const top = [...done].sort((x, y) => (better(x.value, y.value, dir) ? -1 : better(y.value, x.value, dir) ? 1 : 0)).slice(0, Math.floor(done.length / a.eta));
        for (const t of top) expect(parents).toContain(t.id);
      }
    }), { numRuns: 200 });
  });

  it('reaches the last rung with the best configurations when every trial completes', () => {
    const spec = normalizeSpec(referenceSearch({
      algorithm: { name: 'asha', seed: 5, minEpochs: 1, maxEpochs: 9, reductionFactor: 3 }, budget: { maxTrials: 27, maxParallelTrials: 3 },
    }), () => 1);
    const { trials } = simulate(spec, { seed: 5, noise: 0 });
    const byRung = (k: number) => trials.filter((t: TrialHistoryEntry) => t.rung === k);
    expect(byRung(0)).toHaveLength(27);
    // Asynchronous promotions can let a few more through than a synchronous 1/3, never fewer in the end.
    expect(byRung(1).length).toBeGreaterThanOrEqual(9);
    expect(byRung(2).length).toBeGreaterThanOrEqual(3);
    const best = trials.reduce((x, y) => (y.value! > x.value! ? y : x));
    expect(best.rung).toBe(2);
  });
});
