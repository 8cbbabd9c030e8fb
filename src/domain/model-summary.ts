// Shape inference and parameter counts for a resolved model, without tfjs: the same code rejects
// impossible templates at search creation and describes a trained model like Keras' summary().
import { ValidationError } from './errors.js';
import type { HpValues } from './hyperparameters.js';
import { ACTIVATIONS, OPTIMIZER_TYPES, type ConcreteLayer, type ConcreteModel, type ConcreteOptimizer, type LayerType, type Loss } from './model-template.js';

export interface LayerSummary {
  name: string;
  type: LayerType;
  /** Keras style: the batch axis is null. */
  outputShape: (number | null)[];
  params: number;
}

export interface Architecture {
  inputShape: number[];
  layers: LayerSummary[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  optimizer: ConcreteOptimizer;
  loss: Loss;
}

export interface ModelSummary extends Architecture {
  hyperparameters: HpValues;
  metrics: { valAccuracy: number | null; bestEpoch: number | null; epochs: number };
  dataset: { id: string; labels: string[]; pixelMax: number };
}

export const MAX_UNITS = 8192;
export const MAX_KERNEL = 64;

const KERAS_NAMES: Record<LayerType, string> = {
  conv2d: 'conv2d', maxPooling2d: 'max_pooling2d', averagePooling2d: 'average_pooling2d', flatten: 'flatten',
  dense: 'dense', dropout: 'dropout', batchNormalization: 'batch_normalization',
};

/**
 * Infers every layer's output shape; throws a ValidationError naming the field of the first impossible one.
 * `templateIndex`: each layer's index in the template it was resolved from (conditional layers
 * dropped), so an error names the template's field; by default the model's own index.
 * `refs`: the hyperparameter (and its value) behind a field's path, said in the error; asked only on failure.
 */
export function describeArchitecture(model: ConcreteModel, refs: (path: string) => string | undefined = () => undefined, templateIndex?: number[]): Architecture {
  const counts = new Map<LayerType, number>();
  let shape = [...model.inputShape];
  let trainable = 0;
  let nonTrainable = 0;
  const layers = model.layers.map((layer, i) => {
    const at = `model.layers[${templateIndex?.[i] ?? i}]`;
    const fail = (field: string, reason: string): never => {
      const ref = refs(`${at}.${field}`);
      throw new ValidationError(`${at}.${field}`, ref ? `${reason} (with ${ref})` : reason);
    };
    const { out, params, fixed } = layerShape(layer, shape, fail);
    const n = counts.get(layer.type) ?? 0;
    counts.set(layer.type, n + 1);
    trainable += params - fixed;
    nonTrainable += fixed;
    shape = out;
    return { name: n === 0 ? KERAS_NAMES[layer.type] : `${KERAS_NAMES[layer.type]}_${n}`, type: layer.type, outputShape: [null, ...out], params };
  });
  // The type may come from a hyperparameter; the schema cannot check what one will hold.
  if (!OPTIMIZER_TYPES.includes(model.optimizer.type))
    throw new ValidationError('model.optimizer.type', `must be one of ${OPTIMIZER_TYPES.join(', ')}, got ${JSON.stringify(model.optimizer.type)}`);
  if (!(model.optimizer.learningRate > 0) || !Number.isFinite(model.optimizer.learningRate))
    throw new ValidationError('model.optimizer.learningRate', 'must be a finite number > 0');
  if (!(model.optimizer.momentum >= 0 && model.optimizer.momentum < 1))
    throw new ValidationError('model.optimizer.momentum', 'must be in [0, 1)');
  return {
    inputShape: model.inputShape, layers,
    totalParams: trainable + nonTrainable, trainableParams: trainable, nonTrainableParams: nonTrainable,
    optimizer: model.optimizer, loss: model.loss,
  };
}

type Fail = (field: string, reason: string) => never;

function positiveInt(v: unknown, max: number, field: string, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) fail(field, `must be an integer from 1 to ${max}, got ${JSON.stringify(v)}`);
  return v as number;
}

function spatial(shape: number[], fail: Fail, field: string): [number, number, number] {
  if (shape.length !== 3) fail(field, `needs a 3-d input (height, width, channels), got shape [${shape.join(', ')}]`);
  return shape as [number, number, number];
}

/** Output size along one axis, as Keras computes it; < 1 means the window does not fit. */
function windowOut(size: number, window: number, stride: number, padding: string): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - window) / stride) + 1;
}

function layerShape(layer: ConcreteLayer, shape: number[], fail: Fail): { out: number[]; params: number; fixed: number } {
  const checkPadding = (p: unknown) => { if (p !== 'valid' && p !== 'same') fail('padding', `must be 'valid' or 'same', got ${JSON.stringify(p)}`); };
  const checkActivation = (a: unknown) => {
    if (!ACTIVATIONS.includes(a as never)) fail('activation', `must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(a)}`);
  };
  switch (layer.type) {
    case 'conv2d':
    case 'maxPooling2d':
    case 'averagePooling2d': {
      const conv = layer.type === 'conv2d';
      const windowField = conv ? 'kernelSize' : 'poolSize';
      const window = positiveInt(conv ? layer.kernelSize : layer.poolSize, MAX_KERNEL, windowField, fail);
      const stride = positiveInt(layer.strides, MAX_KERNEL, 'strides', fail);
      checkPadding(layer.padding);
      const [h, w, c] = spatial(shape, fail, windowField);
      const oh = windowOut(h, window, stride, layer.padding);
      const ow = windowOut(w, window, stride, layer.padding);
      if (oh < 1 || ow < 1) fail(windowField, `${window}x${window} is larger than its ${h}x${w} input`);
      if (!conv) return { out: [oh, ow, c], params: 0, fixed: 0 };
      const filters = positiveInt(layer.filters, MAX_UNITS, 'filters', fail);
      checkActivation(layer.activation);
      return { out: [oh, ow, filters], params: window * window * c * filters + filters, fixed: 0 };
    }
    case 'flatten':
      if (shape.length < 2) fail('type', 'flatten needs an input of rank 2 or more');
      return { out: [shape.reduce((a, b) => a * b, 1)], params: 0, fixed: 0 };
    case 'dense': {
      const units = positiveInt(layer.units, MAX_UNITS, 'units', fail);
      checkActivation(layer.activation);
      const last = shape[shape.length - 1];
      return { out: [...shape.slice(0, -1), units], params: last * units + units, fixed: 0 };
    }
    case 'dropout':
      if (typeof layer.rate !== 'number' || !(layer.rate >= 0 && layer.rate < 1)) fail('rate', `must be a number in [0, 1), got ${JSON.stringify(layer.rate)}`);
      return { out: shape, params: 0, fixed: 0 };
    case 'batchNormalization': {
      if (typeof layer.momentum !== 'number' || !(layer.momentum >= 0 && layer.momentum < 1)) fail('momentum', 'must be a number in [0, 1)');
      if (typeof layer.epsilon !== 'number' || !(layer.epsilon > 0)) fail('epsilon', 'must be a number > 0');
      const c = shape[shape.length - 1];
      // gamma and beta train; the moving mean and variance do not (Keras counts them as non-trainable).
      return { out: shape, params: 4 * c, fixed: 2 * c };
    }
  }
}
