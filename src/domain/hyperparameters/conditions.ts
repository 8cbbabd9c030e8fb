// Conditional spaces: a hyperparameter with `when` exists only while its parent takes one of the
// listed values. Parents come before their children, so walking the space in order decides each
// hyperparameter's activity from values already taken.
import { ValidationError } from '../errors.js';
import type { Condition, HpValue, HpValues, Hyperparameter, SearchSpace } from './definitions.js';
import { discreteCount, discreteIndex } from './type-lookup.js';
import { listed } from './value-sets.js';

/** Whether a condition holds for these values; no condition always holds. An absent parent fails it. */
export const conditionHolds = (when: Condition | undefined, values: HpValues): boolean =>
  when === undefined || (Object.hasOwn(values, when.hp) && listed(when.in, values[when.hp]));

export const isActive = (hp: Hyperparameter, values: HpValues): boolean => conditionHolds(hp.when, values);

/** The values of the hyperparameters active under them, in the space's order (others dropped). */
export function activeValues(space: SearchSpace, values: HpValues): HpValues {
  return sampleActive(space, (hp) => values[hp.name], (hp) => Object.hasOwn(values, hp.name));
}

/** Draws a value for each active hyperparameter, in order; the inactive ones draw nothing. */
export function sampleActive(space: SearchSpace, draw: (hp: Hyperparameter) => HpValue, has: (hp: Hyperparameter) => boolean = () => true): HpValues {
  const out: HpValues = {};
  for (const hp of space) {
    if (!isActive(hp, out) || !has(hp)) continue;
    // defineProperty: a hyperparameter may be called __proto__, which plain assignment would not
    // store; only then, as it is several times slower (this runs per value per combination).
    if (hp.name === '__proto__') Object.defineProperty(out, hp.name, { value: draw(hp), enumerable: true, writable: true, configurable: true });
    else out[hp.name] = draw(hp);
  }
  return out;
}

/**
 * A condition must name a discrete hyperparameter of `candidates` (for a hyperparameter: one
 * defined before it, so the space is walked in order and cannot loop) and list some of its values.
 * `later`: where the names that are not candidates sit in the space, for the message.
 */
export function validateCondition(candidates: ReadonlyMap<string, Hyperparameter>, when: Condition, at: string, later: ReadonlyMap<string, number> = new Map()): void {
  if (typeof when !== 'object' || when === null || typeof when.hp !== 'string') throw new ValidationError(`${at}.hp`, 'must name a hyperparameter');
  const parent = candidates.get(when.hp);
  if (!parent) {
    const position = later.get(when.hp);
    throw new ValidationError(`${at}.hp`, position === undefined ? `refers to unknown hyperparameter '${when.hp}'` : `must name a hyperparameter defined earlier in the list ('${when.hp}' is at hyperparameters[${position}])`);
  }
  if (discreteCount(parent) === null)
    throw new ValidationError(`${at}.hp`, `'${when.hp}' is a continuous float: a condition needs a discrete hyperparameter (choice, boolean, int, fixed, or a float with a step)`);
  if (!Array.isArray(when.in) || when.in.length === 0) throw new ValidationError(`${at}.in`, 'must list at least one value');
  const seen = new Set<HpValue>();
  when.in.forEach((v, j) => {
    if (discreteIndex(parent, v) < 0) throw new ValidationError(`${at}.in[${j}]`, `${JSON.stringify(v)} is not one of the values of '${when.hp}'`);
    if (seen.has(v)) throw new ValidationError(`${at}.in[${j}]`, `repeats ${JSON.stringify(v)}`);
    seen.add(v);
  });
}

/** Each hyperparameter by name (the last of a repeated name; validateSpace refuses repeats). */
export const byName = (space: SearchSpace): Map<string, Hyperparameter> => new Map(space.map((hp) => [hp.name, hp]));
