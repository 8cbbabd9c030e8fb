// Checking a space as a request defines it, and a combination of values against a space.
import { ValidationError } from '../errors.js';
import { isActive, validateCondition } from './conditions.js';
import type { HpValues, Hyperparameter, SearchSpace } from './definitions.js';
import { typeOf } from './type-lookup.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

export function validateSpace(space: SearchSpace, path = 'hyperparameters'): void {
  if (space.length === 0) throw new ValidationError(path, 'must define at least one hyperparameter');
  checkListedValues(space, path);
  // The ones defined so far, which a condition may name; the space's order, for the message when it names a later one.
  const earlier = new Map<string, Hyperparameter>();
  const positions = new Map<string, number>();
  space.forEach((hp, i) => { if (!positions.has(hp.name)) positions.set(hp.name, i); });
  space.forEach((hp, i) => {
    const at = `${path}[${i}]`;
    if (!NAME.test(hp.name)) throw new ValidationError(`${at}.name`, 'must start with a letter or _ and use only letters, digits, _ . - (64 at most)');
    if (earlier.has(hp.name)) throw new ValidationError(`${at}.name`, `duplicate hyperparameter name '${hp.name}'`);
    typeOf(hp).validate(hp, at);
    if (hp.when !== undefined) validateCondition(earlier, hp.when, `${at}.when`, positions);
    earlier.set(hp.name, hp);
  });
}

/** Checks a full set of values against the space (warm starts, stored trials): active ones present, inactive ones absent. */
export function validateValues(space: SearchSpace, values: HpValues, path = 'hyperparameters'): void {
  for (const hp of space) {
    if (!isActive(hp, values)) {
      if (!Object.hasOwn(values, hp.name)) continue;
      const parent = hp.when!.hp;
      const why = Object.hasOwn(values, parent) ? `${parent}=${JSON.stringify(values[parent])}` : `${parent} is not active`;
      throw new ValidationError(`${path}.${hp.name}`, `is not active when ${why}`);
    }
    if (!Object.hasOwn(values, hp.name)) throw new ValidationError(`${path}.${hp.name}`, 'is missing');
    const why = typeOf(hp).rejects(hp, values[hp.name]);
    if (why !== null) throw new ValidationError(`${path}.${hp.name}`, why);
  }
  const names = new Set(space.map((hp) => hp.name));
  for (const name of Object.keys(values))
    if (!names.has(name)) throw new ValidationError(`${path}.${name}`, 'is not in the search space');
}

/**
 * Values listed over all choices and over all conditions' `in`: every check and every combination
 * walks them, so they are capped whatever the body limits allow (the schema caps each list at 1,000).
 */
export const MAX_LISTED_VALUES = 10_000;

function checkListedValues(space: SearchSpace, path: string): void {
  let choices = 0;
  let conditions = 0;
  for (const hp of space) {
    if (hp.type === 'choice' && Array.isArray(hp.values)) choices += hp.values.length;
    if (Array.isArray(hp.when?.in)) conditions += hp.when.in.length;
  }
  if (choices > MAX_LISTED_VALUES) throw new ValidationError(path, `list ${choices} choice values in all, more than the limit of ${MAX_LISTED_VALUES}`);
  if (conditions > MAX_LISTED_VALUES) throw new ValidationError(path, `list ${conditions} values in their conditions' "in" in all, more than the limit of ${MAX_LISTED_VALUES}`);
}
