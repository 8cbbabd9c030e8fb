// Hyperparameters and search spaces: the public face of src/domain/hyperparameters/, where each
// type (int.ts, float.ts, choice.ts, boolean.ts, fixed.ts) maps its values to and from the unit
// interval, as in Keras Tuner, so every search algorithm handles every type the same way.
export type { BooleanHp, ChoiceHp, Condition, FixedHp, FloatHp, HpValue, HpValues, Hyperparameter, IntHp, Sampling, SearchSpace } from './hyperparameters/definitions.js';
export { cardinality, discreteAt, discreteCount, discreteIndex, discreteValues, fromUnit, toUnit, unitCells } from './hyperparameters/type-lookup.js';
export { activeValues, byName, conditionHolds, isActive, sampleActive, validateCondition } from './hyperparameters/conditions.js';
export { indexIn, listed } from './hyperparameters/value-sets.js';
export { comboKey } from './hyperparameters/combo-key.js';
export { Grid } from './hyperparameters/grid.js';
export { spaceCardinality } from './hyperparameters/space-tree.js';
export { MAX_LISTED_VALUES, validateSpace, validateValues } from './hyperparameters/space-validation.js';
