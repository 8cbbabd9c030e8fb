// The types whose values are a short list (choice, boolean, fixed): everything follows from the list.
import type { HpValue } from './definitions.js';
import { cellCentre, cellOf, notAllowed, type HpType } from './hp-type.js';
import { indexIn } from './value-sets.js';

/** A type from its list of values and its own definition check; the unit interval is one cell per value. */
export function listedType<H>(values: (hp: H) => HpValue[], validate: HpType<H>['validate']): HpType<H> {
  const indexOf = (hp: H, value: HpValue) => indexIn(values(hp), value);
  return {
    validate,
    count: (hp) => values(hp).length,
    at: (hp, k) => values(hp)[k],
    indexOf,
    cells: (hp) => values(hp).length,
    fromUnit: (hp, u) => values(hp)[cellOf(values(hp).length, u)],
    toUnit: (hp, value) => cellCentre(values(hp).length, indexOf(hp, value)),
    rejects: (hp, value) => (indexOf(hp, value) < 0 ? notAllowed(value) : null),
  };
}
