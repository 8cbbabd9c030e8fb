// A search space as requests define it and the store keeps it: plain JSON, one shape per type.
// What each type means (its values, its unit interval) lives in that type's own module.

export type HpValue = number | string | boolean;
export type HpValues = Record<string, HpValue>;
export type Sampling = 'linear' | 'log';

/**
 * "Exists only when hyperparameter `hp` takes one of the values `in`" (Keras Tuner's
 * conditional_scope, parent_name/parent_values). An inactive hyperparameter is absent from a
 * trial's values, so a parent that is itself inactive makes its children inactive too.
 */
export interface Condition { hp: string; in: HpValue[] }
interface Base { name: string; when?: Condition }
interface RangeFields { min: number; max: number; step?: number; sampling?: Sampling }

export type IntHp = Base & RangeFields & { type: 'int' };
export type FloatHp = Base & RangeFields & { type: 'float' };
export type ChoiceHp = Base & { type: 'choice'; values: HpValue[] };
export type BooleanHp = Base & { type: 'boolean' };
export type FixedHp = Base & { type: 'fixed'; value: HpValue };

export type Hyperparameter = IntHp | FloatHp | ChoiceHp | BooleanHp | FixedHp;
export type SearchSpace = Hyperparameter[];
