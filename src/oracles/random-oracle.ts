// Random search, seeded: trial n's values depend only on (seed, n), so a restarted scheduler
// proposes what the old one would have. Never repeats a combination while unseen ones remain.
// Inactive conditional hyperparameters are left out of a combination, as Keras Tuner does.
import { comboKey, fromUnit, Grid, sampleActive, spaceCardinality, type HpValues, type SearchSpace } from '../domain/hyperparameters.js';
import { mixSeed, mulberry32 } from '../domain/rng.js';
import type { Oracle, OracleInput } from '../domain/oracle.js';

/** Rejection tries before we enumerate the unseen combinations explicitly. */
const MAX_REJECTIONS = 64;
/** Spaces up to this size may be enumerated to find the last unseen combinations. */
const MAX_ENUMERATION = 200_000;

export class RandomOracle implements Oracle {
  suggest({ space, seed, history }: OracleInput, count: number): HpValues[] {
    const seen = new Set(history.map((t) => comboKey(t.hyperparameters)));
    const size = spaceCardinality(space);
    const values: HpValues[] = [];
    for (let i = 0; i < count; i++) {
      if (seen.size >= size) break;
      const next = this.sampleUnseen(space, seen, size, mulberry32(mixSeed(seed, history.length + i)));
      if (!next) break;
      seen.add(comboKey(next));
      values.push(next);
    }
    return values;
  }

  private sampleUnseen(space: SearchSpace, seen: Set<string>, size: number, rand: () => number): HpValues | null {
    for (let tries = 0; tries < MAX_REJECTIONS; tries++) {
      // Only active hyperparameters draw, in order: a condition reads the values drawn before it.
      const v = sampleActive(space, (hp) => fromUnit(hp, rand()));
      if (!seen.has(comboKey(v))) return v;
    }
    if (size > MAX_ENUMERATION) return null; // practically unreachable: 64 collisions in a space this large
    // Few unseen combinations left: pick uniformly among them.
    const grid = new Grid(space); // a finite space: its grid points are its values
    const unseen: number[] = [];
    for (let i = 0; i < size; i++) if (!seen.has(comboKey(grid.combo(i)))) unseen.push(i);
    return unseen.length ? grid.combo(unseen[Math.floor(rand() * unseen.length)]) : null;
  }
}
