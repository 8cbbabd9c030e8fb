// The JSON twin of Keras Tuner's build_model(hp): a model whose fields may name hyperparameters.
// Pure types and resolution; shape checks live in model-summary.ts. A layer with a `when` exists
// only where its condition holds, so a search can choose depth (Keras Tuner: `for i in range(hp.Int(...))`).
import { ValidationError } from './errors.js';
import { conditionHolds, type Condition, type HpValue, type HpValues } from './hyperparameters.js';

/** A template field: a literal, or a reference to a hyperparameter. */
export type HpRef = { hp: string };
export type Param<T> = T | HpRef;

export type Activation = 'relu' | 'sigmoid' | 'softmax' | 'tanh' | 'linear' | 'elu' | 'selu' | 'softplus';
export const ACTIVATIONS: readonly Activation[] = ['relu', 'sigmoid', 'softmax', 'tanh', 'linear', 'elu', 'selu', 'softplus'];
export type Padding = 'valid' | 'same';

/** `when`: the layer exists only when this condition on a hyperparameter holds. */
interface Conditional { when?: Condition }

export interface Conv2dTemplate extends Conditional {
  type: 'conv2d';
  filters: Param<number>;
  kernelSize: Param<number>;
  strides?: Param<number>;
  padding?: Param<Padding>;
  activation?: Param<Activation>;
}
export interface Pooling2dTemplate extends Conditional {
  type: 'maxPooling2d' | 'averagePooling2d';
  poolSize?: Param<number>;
  strides?: Param<number>;
  padding?: Param<Padding>;
}
export interface FlattenTemplate extends Conditional { type: 'flatten' }
export interface DenseTemplate extends Conditional { type: 'dense'; units: Param<number>; activation?: Param<Activation> }
export interface DropoutTemplate extends Conditional { type: 'dropout'; rate: Param<number> }
export interface BatchNormalizationTemplate extends Conditional { type: 'batchNormalization'; momentum?: Param<number>; epsilon?: Param<number> }

export type LayerTemplate =
  | Conv2dTemplate | Pooling2dTemplate | FlattenTemplate | DenseTemplate | DropoutTemplate | BatchNormalizationTemplate;
export type LayerType = LayerTemplate['type'];
export const LAYER_TYPES: readonly LayerType[] =
  ['conv2d', 'maxPooling2d', 'averagePooling2d', 'flatten', 'dense', 'dropout', 'batchNormalization'];

export type OptimizerType = 'adam' | 'sgd' | 'rmsprop';
export const OPTIMIZER_TYPES: readonly OptimizerType[] = ['adam', 'sgd', 'rmsprop'];
export interface OptimizerTemplate { type: Param<OptimizerType>; learningRate?: Param<number>; momentum?: Param<number> }

export type Loss = 'sparseCategoricalCrossentropy';
export const LOSSES: readonly Loss[] = ['sparseCategoricalCrossentropy'];

export interface ModelTemplate {
  inputShape: number[];
  layers: LayerTemplate[];
  optimizer: OptimizerTemplate;
  loss: Loss;
}

/** Every field resolved to a value: what the training engine builds. */
export type ConcreteLayer =
  | { type: 'conv2d'; filters: number; kernelSize: number; strides: number; padding: Padding; activation: Activation }
  | { type: 'maxPooling2d' | 'averagePooling2d'; poolSize: number; strides: number; padding: Padding }
  | { type: 'flatten' }
  | { type: 'dense'; units: number; activation: Activation }
  | { type: 'dropout'; rate: number }
  | { type: 'batchNormalization'; momentum: number; epsilon: number };

export interface ConcreteOptimizer { type: OptimizerType; learningRate: number; momentum: number }
export interface ConcreteModel {
  inputShape: number[];
  layers: ConcreteLayer[];
  optimizer: ConcreteOptimizer;
  loss: Loss;
}

export const isHpRef = (v: unknown): v is HpRef =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as HpRef).hp === 'string';

/**
 * A use of a hyperparameter in the template: a field's value, or (`condition`) the hyperparameter a
 * layer's `when` names. `when` is the condition under which the using layer exists.
 */
export interface TemplateRef { name: string; path: string; when?: Condition; condition?: true }

/** Every use of a hyperparameter in the template, with its field path. */
export function templateRefs(template: ModelTemplate): TemplateRef[] {
  const refs: TemplateRef[] = [];
  const visit = (obj: object, path: string, when?: Condition) => {
    for (const [key, value] of Object.entries(obj)) {
      if (key !== 'when' && isHpRef(value)) refs.push({ name: value.hp, path: `${path}.${key}`, ...(when ? { when } : {}) });
    }
  };
  template.layers.forEach((layer, i) => {
    if (layer.when) refs.push({ name: layer.when.hp, path: `model.layers[${i}].when.hp`, when: layer.when, condition: true });
    visit(layer, `model.layers[${i}]`, layer.when);
  });
  visit(template.optimizer, 'model.optimizer');
  return refs;
}

/** The template index of each layer that exists for these values, in order. */
export function activeLayerIndices(template: ModelTemplate, values: HpValues): number[] {
  const active: number[] = [];
  template.layers.forEach((layer, i) => { if (conditionHolds(layer.when, values)) active.push(i); });
  return active;
}

const DEFAULT_LR: Record<OptimizerType, number> = { adam: 0.001, sgd: 0.01, rmsprop: 0.001 };

/** Drops the layers whose condition fails, replaces every { hp } with its value and fills Keras' defaults. */
export function resolveTemplate(template: ModelTemplate, values: HpValues): ConcreteModel {
  const get = <T extends HpValue>(v: Param<T> | undefined, fallback: T, path: string): T => {
    if (v === undefined) return fallback;
    if (!isHpRef(v)) return v;
    if (!Object.hasOwn(values, v.hp)) throw new ValidationError(path, `hyperparameter '${v.hp}' has no value`);
    return values[v.hp] as T;
  };
  const layers = activeLayerIndices(template, values).map((i): ConcreteLayer => {
    const l = template.layers[i];
    const p = `model.layers[${i}]`;
    switch (l.type) {
      case 'conv2d':
        return {
          type: 'conv2d',
          filters: get(l.filters, 0, `${p}.filters`),
          kernelSize: get(l.kernelSize, 0, `${p}.kernelSize`),
          strides: get(l.strides, 1, `${p}.strides`),
          padding: get<Padding>(l.padding, 'valid', `${p}.padding`),
          activation: get<Activation>(l.activation, 'linear', `${p}.activation`),
        };
      case 'maxPooling2d':
      case 'averagePooling2d': {
        const poolSize = get(l.poolSize, 2, `${p}.poolSize`);
        return {
          type: l.type, poolSize,
          strides: get(l.strides, poolSize, `${p}.strides`), // Keras: strides default to pool_size
          padding: get<Padding>(l.padding, 'valid', `${p}.padding`),
        };
      }
      case 'flatten':
        return { type: 'flatten' };
      case 'dense':
        return { type: 'dense', units: get(l.units, 0, `${p}.units`), activation: get<Activation>(l.activation, 'linear', `${p}.activation`) };
      case 'dropout':
        return { type: 'dropout', rate: get(l.rate, 0, `${p}.rate`) };
      case 'batchNormalization':
        return {
          type: 'batchNormalization',
          momentum: get(l.momentum, 0.99, `${p}.momentum`),
          epsilon: get(l.epsilon, 0.001, `${p}.epsilon`),
        };
    }
  });
  const type = get<OptimizerType>(template.optimizer.type, 'adam', 'model.optimizer.type');
  return {
    inputShape: template.inputShape,
    layers,
    optimizer: {
      type,
      learningRate: get(template.optimizer.learningRate, DEFAULT_LR[type], 'model.optimizer.learningRate'),
      momentum: get(template.optimizer.momentum, 0, 'model.optimizer.momentum'),
    },
    loss: template.loss,
  };
}
