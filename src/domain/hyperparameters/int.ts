// An integer range (Keras Tuner's Int): min..max by step (1 unless given), always discrete, log
// sampling drawing uniformly in log space and taking the nearest value.
import type { IntHp } from './definitions.js';
import { rangeCount, rangeType } from './numeric-range.js';

export const intType = rangeType<IntHp>(rangeCount, true);
