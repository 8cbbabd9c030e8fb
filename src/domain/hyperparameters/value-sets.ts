// Membership in a list of values (a choice's values, a condition's `in`) in constant time. Lists
// are looked up once per hyperparameter per combination while validating and sampling: a scan of
// a 1,000-value list each time made validating a large conditional space quadratic. A short list
// is scanned; a long one gets its index built once and kept while the list lives (specs are not
// changed after validation).
import type { HpValue } from './definitions.js';

/** Below this many values a scan is as quick as a lookup. */
const SHORT = 16;

const indexes = new WeakMap<readonly HpValue[], ReadonlyMap<HpValue, number>>();

/** Where `value` first appears in `list`; -1 when it does not (strict equality, as indexOf). */
export function indexIn(list: readonly HpValue[], value: HpValue): number {
  if (list.length <= SHORT) return list.indexOf(value);
  let index = indexes.get(list);
  if (!index) {
    const built = new Map<HpValue, number>();
    list.forEach((v, i) => { if (!built.has(v)) built.set(v, i); });
    indexes.set(list, index = built);
  }
  // Map keys are SameValueZero: only NaN differs from indexOf, and no listed value may be NaN.
  return index.get(value) ?? -1;
}

/** Whether `list` holds `value`. */
export const listed = (list: readonly HpValue[], value: HpValue): boolean => indexIn(list, value) >= 0;
