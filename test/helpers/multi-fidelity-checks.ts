// What every finished hyperband or asha search must satisfy, whatever the timing of its workers:
// promotions continue a completed parent at its epoch count, once per parent, epochs are numbered
// from where each trial started and recorded once each, and the rungs hold what the schedule says.
import { expect } from 'vitest';
import { hyperbandBrackets } from '../../src/domain/hyperband-brackets.js';
import { trialEpochs } from '../../src/domain/schedule.js';
import type { SearchSpec } from '../../src/domain/search-spec.js';
import type { TrialWithEpochs } from '../../src/ports/search-store.js';
import { ashaRungs } from '../../src/oracles/asha-promoter.js';

/** How long before a promotion's creation a trial's finish may still have been in flight (its write waiting for a lock). */
const IN_FLIGHT_MS = 2000;

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const better = (spec: SearchSpec, a: number, b: number) => (spec.objective.direction === 'max' ? a > b : a < b);

/** Checks shared by both algorithms; returns the promotions (trials with a parent). */
export function checkPromotions(spec: SearchSpec, trials: TrialWithEpochs[]): TrialWithEpochs[] {
  const byId = new Map(trials.map((t) => [t.id, t]));
  expect(trials.map((t) => t.number)).toEqual(range(1, trials.length));
  for (const t of trials) {
    const what = `trial ${t.number}`;
    expect(t.status, what).toBe('completed');
    expect(t.source, what).toBe('oracle');
    expect(t.value, what).not.toBeNull();
    expect(t.modelId, what).toBeTruthy();
    expect(t.rung, what).not.toBeNull();
    // Each epoch once, numbered on from where the trial started (one execution per trial here).
    expect(t.epochs.map((e) => [e.execution ?? 0, e.epoch]), what).toEqual(range(t.initialEpoch + 1, trialEpochs(spec, t)).map((e) => [0, e]));
    expect(t.attempts, what).toBeGreaterThanOrEqual(1);
    if (!t.parentTrialId) {
      expect(t.initialEpoch, what).toBe(0);
      expect(t.rung, what).toBe(0);
      continue;
    }
    const parent = byId.get(t.parentTrialId);
    expect(parent, `${what}'s parent`).toBeDefined();
    expect(parent!.status).toBe('completed');
    expect(parent!.finishedAt!.getTime(), `${what} created after its parent ended`).toBeLessThanOrEqual(t.createdAt.getTime());
    expect(t.initialEpoch, what).toBe(trialEpochs(spec, parent!));
    expect(t.hyperparameters, what).toEqual(parent!.hyperparameters);
    expect(t.rung, what).toBe(parent!.rung! + 1);
    expect(t.bracket, what).toBe(parent!.bracket);
  }
  const promotions = trials.filter((t) => t.parentTrialId);
  // One promotion per parent: a parent is promoted to its next rung once, never twice.
  expect(new Set(promotions.map((t) => t.parentTrialId)).size).toBe(promotions.length);
  return promotions;
}

/** The search ended completed with the best trial's model. */
export function checkBest(spec: SearchSpec, search: { status: string; bestTrialId: string | null; bestModelId: string | null }, trials: TrialWithEpochs[]): void {
  expect(search.status).toBe('completed');
  const best = trials.reduce((b, t) => (better(spec, t.value!, b.value!) ? t : b));
  expect(search.bestTrialId).toBe(best.id);
  expect(search.bestModelId).toBe(best.modelId);
}

/** Hyperband: every round of every bracket holds `size` trials training to its epochs; the best of a round go on. */
export function checkHyperband(spec: SearchSpec, trials: TrialWithEpochs[]): void {
  checkPromotions(spec, trials);
  const { maxEpochs, factor } = spec.algorithm;
  const brackets = hyperbandBrackets(maxEpochs!, factor!);
  const expected = brackets.reduce((n, b) => n + b.rounds.reduce((m, r) => m + r.size, 0), 0);
  expect(trials).toHaveLength(expected);
  brackets.forEach(({ rounds }, k) => rounds.forEach((round, r) => {
    const members = trials.filter((t) => t.bracket === k && t.rung === r);
    expect(members.map((t) => trialEpochs(spec, t)), `bracket ${k} round ${r}`).toEqual(Array(round.size).fill(round.epochs));
    if (r === 0) return;
    // The parents are the best `size` of the round before.
    const previous = trials.filter((t) => t.bracket === k && t.rung === r - 1);
    const cut = [...previous].sort((a, b) => (better(spec, a.value!, b.value!) ? -1 : 1))[round.size - 1].value!;
    for (const m of members) expect(better(spec, cut, byIdValue(trials, m.parentTrialId!)), `bracket ${k} round ${r} parent`).toBe(false);
  }));
}

const byIdValue = (trials: TrialWithEpochs[], id: string) => trials.find((t) => t.id === id)!.value!;

/**
 * ASHA: maxTrials configurations at the first rung; a promotion's parent was, when it was
 * promoted, among the top 1/reductionFactor of its rung's completed trials; and at the end no
 * trial in the top 1/reductionFactor of a rung is left unpromoted.
 */
export function checkAsha(spec: SearchSpec, trials: TrialWithEpochs[]): void {
  const promotions = checkPromotions(spec, trials);
  const rungs = ashaRungs(spec.algorithm);
  const eta = spec.algorithm.reductionFactor!;
  expect(trials.filter((t) => !t.parentTrialId)).toHaveLength(spec.budget.maxTrials);
  for (const t of trials) expect(trialEpochs(spec, t), `trial ${t.number}`).toBe(rungs[t.rung!]);
  /** The value the n-th best completed trial of the rung had at `before`, n = floor(completed / eta). */
  const topCut = (rung: number, before: number) => {
    const done = trials.filter((t) => t.rung === rung && t.finishedAt!.getTime() <= before).map((t) => t.value!);
    const n = Math.floor(done.length / eta);
    return n === 0 ? null : { n, cut: done.sort((a, b) => (better(spec, a, b) ? -1 : 1))[n - 1] };
  };
  for (const p of promotions) {
    const parent = trials.find((t) => t.id === p.parentTrialId)!;
    const created = p.createdAt.getTime();
    // A trial stamps finishedAt before its write commits (which may wait for the scheduler's own
    // transaction on the other worker), so one finishing just before a promotion was created may
    // not have been visible to the scheduler that made it. The parent must be in the top at one
    // such moment: the promotion's creation, or just before any of those late finishes.
    const moments = [created, ...trials.map((t) => t.finishedAt!.getTime() - 1).filter((t) => t < created && t >= created - IN_FLIGHT_MS)];
    const tops = moments.map((before) => topCut(parent.rung!, before));
    expect(tops.some((top) => top !== null), `trial ${p.number} promoted with fewer than ${eta} completed in its rung`).toBe(true);
    expect(tops.some((top) => top !== null && !better(spec, top.cut, parent.value!)), `trial ${p.number}'s parent was not in the top 1/${eta}`).toBe(true);
  }
  for (let rung = 0; rung < rungs.length - 1; rung++) {
    const top = topCut(rung, Infinity);
    if (top === null) continue;
    const atLeastCut = trials.filter((t) => t.rung === rung && !better(spec, top.cut, t.value!));
    const promoted = atLeastCut.filter((t) => promotions.some((p) => p.parentTrialId === t.id));
    expect(promoted.length, `rung ${rung}: its top ${top.n} were not all promoted`).toBeGreaterThanOrEqual(top.n);
  }
}
