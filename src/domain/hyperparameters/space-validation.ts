// Checking a space as a request defines it, and a combination of values against a space.
import { ValidationError } from '../errors.js';
import { isActive, validateCondition } from './conditions.js';
import type { HpValues, SearchSpace } from './definitions.js';
import { typeOf } from './type-lookup.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

export function validateSpace(space: SearchSpace, path = 'hyperparameters'): void {
  if (space.length === 0) throw new ValidationError(path, 'must define at least one hyperparameter');
  const seen = new Set<string>();
  space.forEach((hp, i) => {
    const at = `${path}[${i}]`;
    if (!NAME.test(hp.name)) throw new ValidationError(`${at}.name`, 'must start with a letter or _ and use only letters, digits, _ . - (64 at most)');
    if (seen.has(hp.name)) throw new ValidationError(`${at}.name`, `duplicate hyperparameter name '${hp.name}'`);
    seen.add(hp.name);
    typeOf(hp).validate(hp, at);
    if (hp.when !== undefined) validateCondition(space.slice(0, i), hp.when, `${at}.when`, space);
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
  for (const name of Object.keys(values))
    if (!space.some((hp) => hp.name === name)) throw new ValidationError(`${path}.${name}`, 'is not in the search space');
}
