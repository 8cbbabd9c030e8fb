// One tfjs (Keras) layer as ONNX nodes, appended to the graph. The layer set is the template
// language's (src/domain/model-template.ts); anything else is refused rather than exported wrong.
import type { OnnxGraph } from './onnx-graph.js';
import { float, int, ints, string } from './onnx-proto.js';

/** A layer as the tfjs topology JSON holds it: class_name and its Keras config (snake_case). */
export interface KerasLayer { class_name: string; config: Record<string, unknown> & { name: string } }
/** The layer's weights by their short name (kernel, bias, gamma, …), in tfjs' shapes. */
export type LayerWeights = (short: string) => { shape: number[]; values: Float32Array } | undefined;

// tfjs' SELU constants (tfjs-core selu_util), which ONNX's defaults equal only to float precision.
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

export function addActivation(g: OnnxGraph, activation: unknown, layer: string): void {
  switch (activation) {
    case undefined: case null: case 'linear': return;
    case 'relu': g.apply('Relu', `${layer}/relu`); return;
    case 'sigmoid': g.apply('Sigmoid', `${layer}/sigmoid`); return;
    case 'tanh': g.apply('Tanh', `${layer}/tanh`); return;
    case 'elu': g.apply('Elu', `${layer}/elu`, [float('alpha', 1)]); return;
    case 'selu': g.apply('Selu', `${layer}/selu`, [float('alpha', SELU_ALPHA), float('gamma', SELU_SCALE)]); return;
    case 'softplus': g.apply('Softplus', `${layer}/softplus`); return;
    case 'softmax':
      // Keras' softmax is over the last axis; opset >= 13 Softmax with axis -1 is exactly that.
      g.toNhwc(layer);
      g.apply('Softmax', `${layer}/softmax`, [int('axis', -1)]);
      return;
    default: throw new Error(`layer ${layer}: activation ${JSON.stringify(activation)} has no ONNX export`);
  }
}

const pair = (v: unknown, field: string, layer: string): [number, number] => {
  const a = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(a) || a.length !== 2 || !a.every((x) => Number.isInteger(x) && x > 0)) throw new Error(`layer ${layer}: ${field} ${JSON.stringify(v)} is not two positive integers`);
  return a as [number, number];
};

/** Output size along one axis as Keras computes it (dilated window `window`). */
const windowOut = (size: number, window: number, stride: number, padding: string) =>
  (padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - window) / stride) + 1);

/** Kernel, strides and padding of a conv or pooling layer, as ONNX attributes, and its output size. */
function windowAttrs(g: OnnxGraph, cfg: KerasLayer['config'], kernel: [number, number], dilation: [number, number]) {
  const strides = pair(cfg.strides ?? kernel, 'strides', cfg.name);
  const padding = cfg.padding;
  if (padding !== 'valid' && padding !== 'same') throw new Error(`layer ${cfg.name}: padding ${JSON.stringify(padding)} has no ONNX export`);
  if (cfg.data_format !== undefined && cfg.data_format !== 'channels_last') throw new Error(`layer ${cfg.name}: only channels_last data is exported`);
  if (g.rank !== 4) throw new Error(`layer ${cfg.name}: needs a rank-4 input, got rank ${g.rank}`);
  const [h, w] = g.shape;
  const out = [0, 1].map((i) => windowOut([h, w][i], (kernel[i] - 1) * dilation[i] + 1, strides[i], padding));
  // TF 'same' pads the extra row or column at the end: ONNX SAME_UPPER.
  const attrs = [ints('kernel_shape', kernel), ints('strides', strides), string('auto_pad', padding === 'same' ? 'SAME_UPPER' : 'VALID')];
  return { attrs, out };
}

function need(weights: LayerWeights, short: string, layer: string) {
  const w = weights(short);
  if (!w) throw new Error(`layer ${layer}: weight ${short} is missing from the artifact`);
  return w;
}

/** Keras' conv kernel [kh, kw, in, out] as ONNX's [out, in, kh, kw]. */
function convKernel(shape: number[], values: Float32Array): Float32Array {
  const [kh, kw, cin, cout] = shape;
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) {
    out[((o * cin + i) * kh + y) * kw + x] = values[((y * kw + x) * cin + i) * cout + o];
  }
  return out;
}

export function addLayer(g: OnnxGraph, layer: KerasLayer, weights: LayerWeights): void {
  const cfg = layer.config;
  const name = cfg.name;
  switch (layer.class_name) {
    case 'Conv2D': {
      const kernel = need(weights, 'kernel', name);
      const dilation = pair(cfg.dilation_rate ?? 1, 'dilation_rate', name);
      const { attrs, out } = windowAttrs(g, cfg, pair(cfg.kernel_size, 'kernel_size', name), dilation);
      const [kh, kw, cin, cout] = kernel.shape;
      g.toNchw(name);
      const inputs = [g.constant(`${name}/kernel`, [cout, cin, kh, kw], convKernel(kernel.shape, kernel.values))];
      const bias = cfg.use_bias === false ? undefined : need(weights, 'bias', name);
      if (bias) inputs.push(g.constant(`${name}/bias`, [cout], bias.values));
      g.apply('Conv', `${name}/conv`, [...attrs, ints('dilations', dilation)], inputs);
      g.shape = [out[0], out[1], cout];
      addActivation(g, cfg.activation, name);
      return;
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const { attrs, out } = windowAttrs(g, cfg, pair(cfg.pool_size, 'pool_size', name), [1, 1]);
      g.toNchw(name);
      if (layer.class_name === 'MaxPooling2D') g.apply('MaxPool', `${name}/max_pool`, attrs);
      // Keras averages over the window's real pixels only, never the padding.
      else g.apply('AveragePool', `${name}/average_pool`, [...attrs, int('count_include_pad', 0)]);
      g.shape = [out[0], out[1], g.shape[2]];
      return;
    }
    case 'Flatten':
      g.toNhwc(name); // flatten in tfjs' order, so Dense kernels need no permutation
      g.apply('Flatten', `${name}/flatten`, [int('axis', 1)]);
      g.shape = [g.shape.reduce((a, b) => a * b, 1)];
      return;
    case 'Dense': {
      const kernel = need(weights, 'kernel', name);
      g.toNhwc(name);
      g.apply('MatMul', `${name}/matmul`, [], [g.constant(`${name}/kernel`, kernel.shape, kernel.values)]);
      if (cfg.use_bias !== false) g.apply('Add', `${name}/bias_add`, [], [g.constant(`${name}/bias`, [kernel.shape[1]], need(weights, 'bias', name).values)]);
      g.shape = [...g.shape.slice(0, -1), kernel.shape[1]];
      addActivation(g, cfg.activation, name);
      return;
    }
    case 'Dropout':
      return; // the identity at inference
    case 'BatchNormalization':
      addBatchNorm(g, cfg, weights);
      return;
    default:
      throw new Error(`layer ${name}: ${layer.class_name} has no ONNX export`);
  }
}

/** Inference-mode batch norm on the last (channel) axis, with the moving mean and variance. */
function addBatchNorm(g: OnnxGraph, cfg: KerasLayer['config'], weights: LayerWeights): void {
  const name = cfg.name;
  const axis = Array.isArray(cfg.axis) && cfg.axis.length === 1 ? cfg.axis[0] : cfg.axis;
  if (axis !== -1 && axis !== g.rank - 1) throw new Error(`layer ${name}: only batch norm over the last axis is exported, got axis ${JSON.stringify(cfg.axis)}`);
  const c = g.shape[g.shape.length - 1];
  const mean = need(weights, 'moving_mean', name).values;
  const variance = need(weights, 'moving_variance', name).values;
  const gamma = cfg.scale === false ? new Float32Array(c).fill(1) : need(weights, 'gamma', name).values;
  const beta = cfg.center === false ? new Float32Array(c) : need(weights, 'beta', name).values;
  const epsilon = Number(cfg.epsilon ?? 0.001);
  if (g.rank === 4 || g.rank === 2) { // channels at axis 1 (after toNchw for images): ONNX's own op
    g.toNchw(name);
    const inputs = [['gamma', gamma], ['beta', beta], ['moving_mean', mean], ['moving_variance', variance]] as const;
    g.apply('BatchNormalization', `${name}/batch_norm`, [float('epsilon', epsilon)],
      inputs.map(([short, v]) => g.constant(`${name}/${short}`, [c], v)));
    return;
  }
  // Another rank (a sequence-like [N, T, C]): the same affine map, folded, broadcast over the last axis.
  const scale = gamma.map((s, i) => s / Math.sqrt(variance[i] + epsilon));
  const shift = beta.map((b, i) => b - mean[i] * scale[i]);
  g.toNhwc(name);
  g.apply('Mul', `${name}/scale`, [], [g.constant(`${name}/scale`, [c], scale)]);
  g.apply('Add', `${name}/shift`, [], [g.constant(`${name}/shift`, [c], shift)]);
}
