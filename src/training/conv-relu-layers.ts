// Conv2D layers with a ReLU and a bias run as one kernel, CONV_BIAS_RELU, on a backend that
// registers it (native). tfjs-core fuses bias and activation only outside gradients (fused_util's
// shouldFuse), so training otherwise runs Conv2D, Add and Relu forward and Step, Multiply and Sum
// backward: five more passes over every conv activation per step, each several MB, on a CPU whose
// convolutions already run near peak. The layer stays a plain Conv2D (same weights, same saved
// topology); only its call is routed, and back to tfjs' own wherever the kernel is missing.
import * as tf from '@tensorflow/tfjs';

/** Inputs {x (NHWC), filter (HWIO), bias}; attrs {strides, pad}: relu(conv2d(x, filter) + bias). */
export const CONV_BIAS_RELU = 'HypertuneConv2DBiasRelu';

/** The parts of tfjs-layers' Conv2D that its call reads (not in its public typings). */
interface Conv2DInternals {
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
  activation?: { getClassName(): string };
  useBias: boolean;
  dataFormat: string;
  dilationRate: number[];
  strides: number[];
  padding: string;
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
}

/** Routes every fusable Conv2D layer of `model` through CONV_BIAS_RELU where the active backend has it. */
export function fuseConvRelu(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Conv2D') continue;
    const conv = layer as unknown as Conv2DInternals;
    const fusable = conv.activation?.getClassName() === 'relu' && conv.useBias && conv.dataFormat === 'channelsLast'
      && conv.padding !== 'causal' && conv.dilationRate.every((d) => d === 1);
    if (!fusable) continue;
    const call = conv.call.bind(conv);
    conv.call = (inputs, kwargs) => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x.rank !== 4 || x.dtype !== 'float32' || !conv.bias || !tf.getKernel(CONV_BIAS_RELU, tf.getBackend())) return call(inputs, kwargs);
      const bias = conv.bias;
      return tf.tidy(() => tf.engine().runKernel(
        CONV_BIAS_RELU, { x, filter: conv.kernel.read(), bias: bias.read() }, { strides: conv.strides, pad: conv.padding },
      ) as tf.Tensor);
    };
  }
}
