// A real range (Keras Tuner's Float): continuous unless it has a step, then discrete like an int;
// log sampling draws uniformly in log space.
import type { FloatHp } from './definitions.js';
import { rangeCount, rangeType } from './numeric-range.js';

export const floatType = rangeType<FloatHp>((hp) => (hp.step === undefined ? null : rangeCount(hp)), false);
