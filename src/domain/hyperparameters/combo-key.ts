import type { HpValues } from './definitions.js';

/** A stable key for a combination, to tell whether it was tried already. */
export function comboKey(values: HpValues): string {
  return JSON.stringify(Object.keys(values).sort().map((k) => [k, values[k]]));
}
