// The template against a conditional search space: layer conditions that name real values, fields
// that never read an inactive hyperparameter, and the corner combinations whose shapes are checked
// (valid ones only: a conditional hyperparameter takes a value only where it is active).
import { ValidationError } from './errors.js';
import { activeValues, byName, discreteAt, MAX_LISTED_VALUES, discreteCount, discreteValues, listed, validateCondition, type Condition, type HpValue, type HpValues, type Hyperparameter, type SearchSpace } from './hyperparameters.js';
import type { ModelTemplate, TemplateRef } from './model-template.js';

/** Above this many corner combinations the template is checked at each hyperparameter's extremes (and condition values) only. */
const MAX_CORNER_COMBOS = 512;

/**
 * Each layer's `when` must name a discrete hyperparameter and some of its values, and each field
 * must refer to a hyperparameter active whenever its layer exists (the optimizer always does).
 * Unknown names are reported before this by the caller.
 */
export function checkTemplateConditions(space: SearchSpace, template: ModelTemplate, refs: TemplateRef[]): void {
  const index = new ConditionIndex(space);
  const listedIn = [...space, ...template.layers].reduce((n, x) => n + (Array.isArray(x.when?.in) ? x.when.in.length : 0), 0);
  if (listedIn > MAX_LISTED_VALUES)
    throw new ValidationError('model.layers', `with the hyperparameters, list ${listedIn} values in their conditions' "in" in all, more than the limit of ${MAX_LISTED_VALUES}`);
  template.layers.forEach((layer, i) => {
    if (layer.when !== undefined) validateCondition(index.byName, layer.when, `model.layers[${i}].when`);
  });
  for (const ref of refs) {
    if (ref.condition) continue; // an inactive condition hyperparameter only means the layer is absent
    const missing = unmetCondition(index, ref.when, ref.name);
    if (!missing) continue;
    const where = ref.path.startsWith('model.optimizer') ? 'the optimizer always exists' : ref.when ? `the layer's own "when" does not imply it` : 'the layer has no "when"';
    throw new ValidationError(ref.path, `refers to '${ref.name}', which exists only when ${missing.hp} is one of ${JSON.stringify(missing.in)}, and ${where}`);
  }
}

/**
 * A space's hyperparameters by name, and whether each one's condition lists every value of its
 * parent, worked out once: every field of every layer asks, and walks a chain of up to 100 parents.
 */
export class ConditionIndex {
  readonly byName: ReadonlyMap<string, Hyperparameter>;
  private readonly covers = new Map<Hyperparameter, boolean>();
  constructor(space: SearchSpace) {
    this.byName = byName(space);
  }

  /** Whether `hp` exists whenever its parent does (its `in` lists every value of the parent). */
  coversParent(hp: Hyperparameter & { when: Condition }): boolean {
    let covers = this.covers.get(hp);
    if (covers === undefined) this.covers.set(hp, covers = new Set(hp.when.in).size === discreteCount(this.byName.get(hp.when.hp)!));
    return covers;
  }
}

/**
 * The first condition on `name`'s chain that may fail while `given` holds (undefined: `name` is
 * active whenever `given` holds). `given` fixes its hyperparameter to its values and makes its own
 * chain hold; any other parent may take any of its values, or be inactive.
 */
export function unmetCondition(space: SearchSpace | ConditionIndex, given: Condition | undefined, name: string): Condition | undefined {
  const index = space instanceof ConditionIndex ? space : new ConditionIndex(space);
  const known = new Map<string, HpValue[]>();
  if (given) {
    known.set(given.hp, given.in);
    for (let hp = index.byName.get(given.hp); hp?.when; hp = index.byName.get(hp.when.hp)) known.set(hp.when.hp, hp.when.in);
  }
  for (let hp = index.byName.get(name); hp?.when; hp = index.byName.get(hp.when.hp)) {
    const { when } = hp;
    const allowed = known.get(when.hp);
    if (allowed) {
      if (!allowed.every((v) => listed(when.in, v))) return when;
      return undefined; // the rest of the chain is given's own, which holds
    }
    if (!index.coversParent(hp as Hyperparameter & { when: Condition })) return when; // a free parent may take a value outside `in`
  }
  return undefined;
}

/**
 * Valid combinations of the hyperparameters `used` (with the parents deciding their activity) at
 * the values most likely to break a shape, plus the values that switch conditions on and off.
 * At most `limit` distinct ones; past it, the all-last combination first.
 */
export function* cornerCombos(space: SearchSpace, template: ModelTemplate, used: string[], limit: number): Generator<HpValues> {
  const hps = byName(space);
  const names = [...new Set(used)];
  const named = new Set(names);
  for (let i = 0; i < names.length; i++) {
    const parent = hps.get(names[i])?.when?.hp;
    if (parent && !named.has(parent)) { names.push(parent); named.add(parent); }
  }
  // Each parent's conditions, grouped once rather than filtered per name.
  const conditionsOn = new Map<string, Condition[]>();
  for (const w of [...space.map((hp) => hp.when), ...template.layers.map((l) => l.when)]) {
    if (!w) continue;
    const list = conditionsOn.get(w.hp);
    if (list) list.push(w);
    else conditionsOn.set(w.hp, [w]);
  }
  const axes = names.map((name) => axis(hps.get(name)!, conditionsOn.get(name) ?? []));
  const total = axes.reduce((n, a) => n * a.all.length, 1);
  const reduced = axes.map((a) => (total > MAX_CORNER_COMBOS ? a.few : a.all));
  const all = reduced.reduce((n, v) => n * v.length, 1);
  const seen = new Set<string>();
  const once = (values: HpValues): HpValues | null => {
    const active = activeValues(space, values);
    // activeValues keeps the space's order, so the entries need no sorting to compare.
    const key = JSON.stringify(Object.entries(active));
    if (seen.has(key)) return null;
    seen.add(key);
    return active;
  };
  if (all > limit) {
    const last = once(Object.fromEntries(names.map((name, j) => [name, reduced[j][reduced[j].length - 1]])));
    if (last) yield last;
  }
  const count = Math.min(all, limit);
  for (let i = 0; i < count; i++) {
    let k = i;
    const values = Object.fromEntries(names.map((name, j) => {
      const v = reduced[j][k % reduced[j].length];
      k = Math.floor(k / reduced[j].length);
      return [name, v];
    }));
    const combo = once(values);
    if (combo) yield combo;
  }
}

/**
 * An axis's values: every discrete value when few, else the two extremes; for a parent, also each
 * condition's first and last value and one value outside every condition (the branch without it).
 * `few` is what a large product keeps.
 */
function axis(hp: Hyperparameter, conditions: Condition[]): { all: HpValue[]; few: HpValue[] } {
  const n = discreteCount(hp); // counted, not listed: a range may hold 100,000 values
  let base: HpValue[];
  if (n !== null && n <= 8) base = discreteValues(hp)!;
  else if (hp.type === 'int' || hp.type === 'float') base = [hp.min, hp.max];
  else base = n !== null ? [discreteAt(hp, 0), discreteAt(hp, n - 1)] : [];
  const ends = base.length > 2 ? [base[0], base[base.length - 1]] : base;
  if (conditions.length === 0) return { all: base, few: ends };
  const triggers = conditions.flatMap((w) => [w.in[0], w.in[w.in.length - 1]]);
  const named = new Set(conditions.flatMap((w) => w.in));
  const extra: HpValue[] = [];
  if (n !== null && [...base, ...triggers].every((v) => named.has(v))) {
    // Look for a value no condition names among the first few past the named ones.
    for (let k = 0; k < Math.min(n, named.size + 1); k++) if (!named.has(discreteAt(hp, k))) { extra.push(discreteAt(hp, k)); break; }
  }
  const unique = (vs: HpValue[]) => [...new Set(vs)];
  return { all: unique([...base, ...triggers, ...extra]), few: unique([...ends, ...triggers, ...extra]) };
}
