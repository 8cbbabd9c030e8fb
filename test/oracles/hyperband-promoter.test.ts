import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlgorithmSettings, BracketSizing } from '../../src/domain/algorithms.js';
import { hyperbandBrackets, hyperbandConfigCount, hyperbandTrialCount } from '../../src/domain/hyperband-brackets.js';
import { comboKey, spaceCardinality, type HpValues, type SearchSpace } from '../../src/domain/hyperparameters.js';
import type { PromoterInput, RungTrial } from '../../src/domain/oracle.js';
import { planNext } from '../../src/domain/schedule.js';
import { normalizeSpec, type SearchRequest } from '../../src/domain/search-spec.js';
import { isFinalTrialStatus } from '../../src/domain/trial-state.js';
import { HyperbandPromoter } from '../../src/oracles/hyperband-promoter.js';
import { createAlgorithm } from '../../src/oracles/index.js';
import { referenceSearch } from '../fixtures/reference-search.js';
import { better, simulate } from './simulate.js';

// maxEpochs 9, factor 3: bracket 0 = 3 configs @1 epoch -> 1 @3 -> 1 @9; bracket 1 = 3 @3 -> 1 @9; bracket 2 = 3 @9.
const settings: AlgorithmSettings = { name: 'hyperband', seed: 1, maxEpochs: 9, factor: 3, hyperbandIterations: 1 };
const EPOCHS = [[1, 3, 9], [3, 9], [9]];

/** A sampler over an endless space (or `limit` configurations), like planNext's. */
function sampler(limit = Infinity) {
  let n = 0;
  return (count: number): HpValues[] => {
    const k = Math.max(0, Math.min(count, limit - n));
    return Array.from({ length: k }, () => ({ x: n++ }));
  };
}

let nextId = 0;
function rt(bracket: number, rung: number, status: RungTrial['status'], value: number | null = null, extra: Partial<RungTrial> = {}): RungTrial {
  const id = extra.id ?? `h${++nextId}`;
  return {
    id, hyperparameters: { x: id }, status, value, targetEpochs: EPOCHS[bracket % 3][rung], initialEpoch: rung === 0 ? 0 : EPOCHS[bracket % 3][rung - 1],
    parentTrialId: null, bracket, rung, ...extra,
  };
}
const input = (history: RungTrial[], over: Partial<PromoterInput> = {}): PromoterInput =>
  ({ settings, direction: 'max', history, sample: sampler(), ...over });
const promoter = new HyperbandPromoter();

describe('HyperbandPromoter', () => {
  it('starts with the most exploratory bracket: its round-0 configurations at round 0 epochs', () => {
    const proposals = promoter.propose(input([]), 3);
    expect(proposals).toEqual([0, 1, 2].map((x) => ({ hyperparameters: { x }, targetEpochs: 1, initialEpoch: 0, bracket: 0, rung: 0 })));
  });

  it('opens the next bracket when the current one has nothing to propose, so parallel workers stay busy', () => {
    const proposals = promoter.propose(input([]), 5);
    expect(proposals.map((p) => [p.bracket, p.rung, p.targetEpochs])).toEqual([[0, 0, 1], [0, 0, 1], [0, 0, 1], [1, 0, 3], [1, 0, 3]]);
    // A round still running: nothing to promote, so the next bracket fills the free slot.
    const running = [rt(0, 0, 'completed', 0.9), rt(0, 0, 'completed', 0.8), rt(0, 0, 'running')];
    expect(promoter.propose(input(running), 1)).toMatchObject([{ bracket: 1, rung: 0, targetEpochs: 3 }]);
  });

  it('fills an earlier bracket before opening a later one', () => {
    const proposals = promoter.propose(input([rt(0, 0, 'running')]), 3);
    expect(proposals.map((p) => p.bracket)).toEqual([0, 0, 1]);
  });

  it('promotes the best completed trials of a finished round, continuing their weights', () => {
    const round = [rt(0, 0, 'completed', 0.5), rt(0, 0, 'pruned', 0.95), rt(0, 0, 'completed', 0.7)];
    const proposals = promoter.propose(input(round), 1);
    expect(proposals).toEqual([{ hyperparameters: round[2].hyperparameters, parentTrialId: round[2].id, initialEpoch: 1, targetEpochs: 3, bracket: 0, rung: 1 }]);
    // For a loss, the smallest value wins.
    expect(promoter.propose(input(round, { direction: 'min' }), 1)[0].parentTrialId).toBe(round[0].id);
  });

  it('never promotes a parent twice, and the next round waits for its promotions to finish', () => {
    const round = [rt(0, 0, 'completed', 0.5), rt(0, 0, 'completed', 0.6), rt(0, 0, 'completed', 0.7)];
    const child = rt(0, 1, 'running', null, { parentTrialId: round[2].id });
    const proposals = promoter.propose(input([...round, child]), 4);
    expect(proposals.some((p) => p.parentTrialId)).toBe(false);
    expect(proposals.every((p) => p.bracket !== 0)).toBe(true);
    child.status = 'completed';
    child.value = 0.8;
    const next = promoter.propose(input([...round, child]), 1);
    expect(next).toEqual([{ hyperparameters: child.hyperparameters, parentTrialId: child.id, initialEpoch: 3, targetEpochs: 9, bracket: 0, rung: 2 }]);
  });

  it('promotes several at once when the next round is larger', () => {
    // maxEpochs 10, factor 3: bracket 0 = 4 @2 -> 2 @4 -> 1 @10.
    const s = { ...settings, maxEpochs: 10 };
    const round = [0.1, 0.4, 0.3, 0.2].map((v) => rt(0, 0, 'completed', v));
    const proposals = promoter.propose(input(round, { settings: s }), 2);
    expect(proposals.map((p) => [p.parentTrialId, p.targetEpochs, p.initialEpoch])).toEqual([[round[1].id, 4, 1], [round[2].id, 4, 1]]);
    // One slot: the best first; the other follows on the next call.
    const one = promoter.propose(input(round, { settings: s }), 1);
    expect(one.map((p) => p.parentTrialId)).toEqual([round[1].id]);
    const after = promoter.propose(input([...round, rt(0, 1, 'running', null, { parentTrialId: round[1].id })], { settings: s }), 1);
    expect(after.map((p) => p.parentTrialId)).toEqual([round[2].id]);
  });

  it('ends a bracket whose round has no completed trial', () => {
    const round = [rt(0, 0, 'failed'), rt(0, 0, 'pruned', 0.1), rt(0, 0, 'cancelled')];
    const proposals = promoter.propose(input(round, { sample: sampler(0) }), 3);
    expect(proposals).toEqual([]);
  });

  it('runs a short round when the sampler runs dry, promotes from what exists, and opens no more brackets', () => {
    const sample = sampler(2);
    const first = promoter.propose(input([], { sample }), 3);
    expect(first).toHaveLength(2);
    const round = first.map((p, i) => rt(0, 0, 'completed', i, { hyperparameters: p.hyperparameters }));
    const second = promoter.propose(input(round, { sample }), 3);
    expect(second).toMatchObject([{ parentTrialId: round[1].id, rung: 1, bracket: 0 }]);
    const child = rt(0, 1, 'completed', 0.9, { parentTrialId: round[1].id, hyperparameters: round[1].hyperparameters });
    const third = promoter.propose(input([...round, child], { sample }), 3);
    expect(third).toMatchObject([{ parentTrialId: child.id, rung: 2, targetEpochs: 9 }]);
    const last = rt(0, 2, 'completed', 0.95, { parentTrialId: child.id });
    expect(promoter.propose(input([...round, child, last], { sample }), 3)).toEqual([]);
  });

  it('proposes nothing once every iteration has run all its brackets', () => {
    const full = (iterations: number, lastStatus: RungTrial['status']): RungTrial[] => {
      const out: RungTrial[] = [];
      for (let k = 0; k < 3 * iterations; k++) {
        let parents = [0, 1, 2].map((i) => rt(k, 0, 'completed', i / 10));
        out.push(...parents);
        for (let r = 1; r < EPOCHS[k % 3].length; r++) {
          const best = parents.reduce((a, b) => (b.value! > a.value! ? b : a));
          parents = [rt(k, r, 'completed', 0.5 + r / 10, { parentTrialId: best.id })];
          out.push(...parents);
        }
      }
      out[out.length - 1].status = lastStatus;
      return out;
    };
    expect(promoter.propose(input(full(1, 'completed')), 2)).toEqual([]);
    expect(promoter.propose(input(full(1, 'running')), 2)).toEqual([]);
    // A second iteration starts over at the most exploratory bracket, numbered on (3 = iteration 1, position 0).
    const two = promoter.propose(input(full(1, 'completed'), { settings: { ...settings, hyperbandIterations: 2 } }), 2);
    expect(two).toMatchObject([{ bracket: 3, rung: 0, targetEpochs: 1 }, { bracket: 3, rung: 0, targetEpochs: 1 }]);
    expect(promoter.propose(input(full(2, 'completed'), { settings: { ...settings, hyperbandIterations: 2 } }), 2)).toEqual([]);
  });
});

const SMALL: SearchSpace = [
  { name: 'conv_1_filter', type: 'int', min: 32, max: 64, step: 16 },
  { name: 'learning_rate', type: 'choice', values: [0.01, 0.001] },
];

function hyperbandSpec(a: { maxEpochs: number; factor: number; iterations: number; slots: number; maxTrials?: number; small?: boolean; metric?: 'val_accuracy' | 'val_loss'; brackets?: BracketSizing }) {
  const req: SearchRequest = referenceSearch({
    algorithm: { name: 'hyperband', seed: 7, maxEpochs: a.maxEpochs, factor: a.factor, hyperbandIterations: a.iterations, ...(a.brackets ? { brackets: a.brackets } : {}) },
    budget: { maxParallelTrials: a.slots, ...(a.maxTrials ? { maxTrials: a.maxTrials } : {}) },
    objective: { metric: a.metric ?? 'val_accuracy' },
  });
  if (a.small) req.hyperparameters = SMALL;
  return normalizeSpec(req, () => 1);
}

/** Checks every decision of a hyperband search against the schedule; returns the finished search. */
function checkedRun(spec: ReturnType<typeof hyperbandSpec>, seed: number, failRate: number) {
  const brackets = hyperbandBrackets(spec.algorithm.maxEpochs!, spec.algorithm.factor!, spec.algorithm.brackets);
  const total = brackets.length * spec.algorithm.hyperbandIterations!;
  const dir = spec.objective.direction;
  const cardinality = spaceCardinality(spec.hyperparameters);
  const result = simulate(spec, {
    seed, failRate, noise: 0.02,
    onPlan(before, plan, after) {
      const byId = new Map(before.map((t) => [t.id, t]));
      for (const p of plan.newTrials) {
        const rounds = brackets[p.bracket! % brackets.length].rounds;
        expect(p.bracket).toBeLessThan(total);
        expect(p.targetEpochs).toBe(rounds[p.rung!].epochs);
        if (!p.parentTrialId) {
          expect(p).toMatchObject({ rung: 0, initialEpoch: 0 });
          continue;
        }
        const parent = byId.get(p.parentTrialId)!;
        expect(parent.status).toBe('completed');
        expect(p).toMatchObject({ bracket: parent.bracket, rung: parent.rung! + 1, initialEpoch: parent.targetEpochs, hyperparameters: parent.hyperparameters });
        // Synchronous rounds: every peer has finished, and fewer than the next round's size beat the parent.
        const peers = before.filter((t) => t.bracket === parent.bracket && t.rung === parent.rung);
        expect(peers.every((t) => isFinalTrialStatus(t.status))).toBe(true);
        const beaten = peers.filter((t) => t.status === 'completed' && better(t.value, parent.value, dir)).length;
        expect(beaten).toBeLessThan(rounds[p.rung!].size);
      }
      // Idle slots only when every bracket is open or no configuration can come any more.
      const active = after.filter((t) => !isFinalTrialStatus(t.status)).length;
      const configs = after.filter((t) => t.parentTrialId === null);
      if (!plan.finalStatus && active < spec.budget.maxParallelTrials) {
        const allOpen = Math.max(...after.map((t) => t.bracket!)) === total - 1;
        expect(allOpen || configs.length >= spec.budget.maxTrials || configs.length >= cardinality).toBe(true);
      }
    },
  });
  const parents = result.trials.flatMap((t) => (t.parentTrialId ? [t.parentTrialId] : []));
  expect(new Set(parents).size).toBe(parents.length);
  const configs = result.trials.filter((t) => t.parentTrialId === null);
  expect(configs.length).toBeLessThanOrEqual(spec.budget.maxTrials);
  expect(new Set(configs.map((t) => comboKey(t.hyperparameters))).size).toBe(configs.length);
  return result;
}

describe('hyperband searches through planNext (properties)', () => {
  const shape = fc.record({
    maxEpochs: fc.integer({ min: 1, max: 30 }), factor: fc.integer({ min: 2, max: 5 }), iterations: fc.integer({ min: 1, max: 3 }),
    slots: fc.integer({ min: 1, max: 4 }), seed: fc.integer({ min: 0, max: 1e6 }),
    metric: fc.constantFrom('val_accuracy' as const, 'val_loss' as const),
    brackets: fc.constantFrom<BracketSizing | undefined>(undefined, 'keras-tuner', 'paper'),
  });

  it('runs exactly the full schedule, its sizing\'s trial count, when every trial completes', () => {
    fc.assert(fc.property(shape, (a) => {
      const spec = hyperbandSpec(a);
      const sizing = a.brackets ?? 'keras-tuner';
      expect(spec.budget.maxTrials).toBe(hyperbandConfigCount(a.maxEpochs, a.factor, a.iterations, sizing));
      const { trials, finalStatus } = checkedRun(spec, a.seed, 0);
      expect(finalStatus).toBe('completed');
      expect(trials).toHaveLength(hyperbandTrialCount(a.maxEpochs, a.factor, a.iterations, sizing));
    }), { numRuns: 120 });
  });

  it('keeps every rule with failures, a small budget or a small space, and always ends', () => {
    fc.assert(fc.property(shape, fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }), fc.boolean(), fc.double({ min: 0, max: 0.5, noNaN: true }),
      (a, maxTrials, small, failRate) => {
        const { finalStatus } = checkedRun(hyperbandSpec({ ...a, maxTrials, small }), a.seed, failRate);
        expect(finalStatus).not.toBeNull();
      }), { numRuns: 150 });
  });

  it('samples round-0 configurations uniformly over the space', () => {
    const spec = hyperbandSpec({ maxEpochs: 9, factor: 3, iterations: 1, slots: 9 });
    const filters = new Map<unknown, number>();
    const rates = new Map<unknown, number>();
    let n = 0;
    for (let seed = 0; seed < 300; seed++) {
      const s = { ...spec, algorithm: { ...spec.algorithm, seed } };
      const plan = planNext(s, [], createAlgorithm(s.algorithm), { now: new Date(0), createdAt: new Date(0), pending: [] });
      // 9 slots open all three brackets, each with its round-0 configurations, all distinct.
      expect(plan.newTrials.map((t) => t.bracket)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
      expect(new Set(plan.newTrials.map((t) => comboKey(t.hyperparameters))).size).toBe(9);
      for (const t of plan.newTrials) {
        filters.set(t.hyperparameters.conv_1_filter, (filters.get(t.hyperparameters.conv_1_filter) ?? 0) + 1);
        rates.set(t.hyperparameters.learning_rate, (rates.get(t.hyperparameters.learning_rate) ?? 0) + 1);
        n++;
      }
    }
    expect(filters.size).toBe(7); // 32..128 step 16
    for (const c of filters.values()) expect(Math.abs(c - n / 7)).toBeLessThan(0.2 * n / 7);
    for (const c of rates.values()) expect(Math.abs(c - n / 2)).toBeLessThan(0.08 * n / 2);
  });
});
