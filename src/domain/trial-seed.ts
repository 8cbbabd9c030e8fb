// Where a trial's randomness comes from: one seed per (search seed, configuration), so the same
// configuration trains the same way in every search with that seed and in every retry, and
// streams derived from it by position (layer, epoch, step) rather than by how many draws came
// before, so a run resumed after epoch k draws exactly what an uninterrupted run would.
import { comboKey } from './hyperparameters/combo-key.js';
import type { HpValues } from './hyperparameters/definitions.js';
import { mixSeed, mulberry32 } from './rng.js';

// Tags keep the streams apart: a shuffle seed never equals a dropout or initializer seed.
const INIT = 0x1b17;
const SHUFFLE = 0x5f1e;
const DROPOUT = 0xd07;
const EXECUTION = 0xe7ec;

/** FNV-1a over the UTF-16 code units, mixed like mixSeed. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The seed of a configuration (canonical: comboKey sorts the keys, and JSON writes numbers in
 * their shortest round-trip form) in a search with `searchSeed` (any safe integer: both 32-bit halves count).
 */
export function trialSeed(searchSeed: number, hp: HpValues): number {
  const low = searchSeed >>> 0;
  const high = Math.floor(searchSeed / 2 ** 32) >>> 0;
  return mixSeed(low, high, hashString(comboKey(hp)));
}

/** Executions of one trial start from different weights (Keras Tuner's executions); the first uses the trial's seed itself. */
export function executionSeed(seed: number, execution: number): number {
  return execution === 0 ? seed >>> 0 : mixSeed(seed, EXECUTION, execution);
}

/** The initializer seed of the layer at `index`. */
export const initSeed = (seed: number, index: number): number => mixSeed(seed, INIT, index);

/** The dropout mask seed of the layer at `index` in step `step` (from 0) of epoch `epoch` (from 1). */
export const dropoutSeed = (seed: number, index: number, epoch: number, step: number): number =>
  mixSeed(seed, DROPOUT, index, epoch, step);

/** The order epoch `epoch` (from 1) visits items 0..count-1 in: a Fisher-Yates shuffle seeded by (seed, epoch) alone. */
export function epochOrder(seed: number, epoch: number, count: number): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const rand = mulberry32(mixSeed(seed, SHUFFLE, epoch));
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
