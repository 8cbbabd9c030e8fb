// Builds and compiles the Keras-equivalent tf.Sequential for a resolved model template.
// Defaults follow Keras: glorot_uniform kernels, zero biases, Adam epsilon 1e-7.
import * as tf from '@tensorflow/tfjs';
import type { ConcreteLayer, ConcreteModel, ConcreteOptimizer } from '../domain/model-template.js';
import { initSeed } from '../domain/trial-seed.js';
import { fuseConvRelu } from './conv-relu-layers.js';
import { routeTrainStep } from './direct-step-route.js';
import { fuseSparseLoss } from './sparse-loss.js';

// tfjs needs an integer seed per initializer; different per layer so layers do not share weights.
const kernelInit = (seed: number | undefined, index: number) =>
  tf.initializers.glorotUniform(seed === undefined ? {} : { seed: initSeed(seed, index) });

function toLayer(layer: ConcreteLayer, index: number, seed: number | undefined, inputShape?: number[]): tf.layers.Layer {
  const first = inputShape ? { inputShape } : {};
  switch (layer.type) {
    case 'conv2d':
      return tf.layers.conv2d({
        ...first, filters: layer.filters, kernelSize: layer.kernelSize, strides: layer.strides,
        padding: layer.padding, activation: layer.activation,
        kernelInitializer: kernelInit(seed, index), biasInitializer: 'zeros',
      });
    case 'maxPooling2d':
      return tf.layers.maxPooling2d({ ...first, poolSize: layer.poolSize, strides: layer.strides, padding: layer.padding });
    case 'averagePooling2d':
      return tf.layers.averagePooling2d({ ...first, poolSize: layer.poolSize, strides: layer.strides, padding: layer.padding });
    case 'flatten':
      return tf.layers.flatten(first);
    case 'dense':
      return tf.layers.dense({
        ...first, units: layer.units, activation: layer.activation,
        kernelInitializer: kernelInit(seed, index), biasInitializer: 'zeros',
      });
    case 'dropout':
      // No seed: a fixed one draws the same mask on every step; training seeds each step's (seeded-batches.ts).
      return tf.layers.dropout({ ...first, rate: layer.rate });
    case 'batchNormalization':
      return tf.layers.batchNormalization({ ...first, momentum: layer.momentum, epsilon: layer.epsilon });
  }
}

export function makeOptimizer(o: ConcreteOptimizer): tf.Optimizer {
  switch (o.type) {
    case 'adam':
      return tf.train.adam(o.learningRate, 0.9, 0.999, 1e-7);
    case 'sgd': // tfjs' momentum update equals Keras' SGD(momentum) for a constant learning rate
      return o.momentum > 0 ? tf.train.momentum(o.learningRate, o.momentum) : tf.train.sgd(o.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(o.learningRate, 0.9, o.momentum, 1e-7);
  }
}

/** A compiled model: the template's optimizer, sparse categorical cross-entropy, accuracy. */
export function buildModel(model: ConcreteModel, seed?: number): tf.Sequential {
  if (model.layers.length === 0) throw new Error('a model needs at least one layer');
  const seq = tf.sequential();
  model.layers.forEach((layer, i) => seq.add(toLayer(layer, i, seed, i === 0 ? model.inputShape : undefined)));
  seq.compile({ optimizer: makeOptimizer(model.optimizer), loss: model.loss, metrics: ['accuracy'] });
  fuseConvRelu(seq);
  fuseSparseLoss(seq);
  routeTrainStep(seq);
  return seq;
}

/** Frees the model and its optimizer state (a model does not own an optimizer passed to compile). */
export function disposeModel(model: tf.LayersModel): void {
  model.optimizer?.dispose();
  model.dispose();
}
