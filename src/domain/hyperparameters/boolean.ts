// false or true, in that order (Keras Tuner's Boolean).
import type { BooleanHp } from './definitions.js';
import { listedType } from './listed-type.js';

const BOTH = [false, true];

export const booleanType = listedType<BooleanHp>(() => BOTH, () => {});
