// CONV_BIAS_RELU on native (../conv-relu-layers.ts routes the conv layers to it) and its
// gradient: oneDNN's conv with the bias and a ReLU post-op forward; backward, ReLU's gradient in
// one pass over the output (dy * step(y), what tfjs' Step and Multiply compute from the input:
// y > 0 exactly where the input is), then the filter's and the bias's gradients in one oneDNN
// pass (diff_bias) and, only where the tape asks for it, the input's. In bf16 the filter's
// gradient runs in bf16 as Conv2DBackpropFilter does, and the bias's is a float32 sum. For native's
// direct step, two bf16 variants: the forward written only as bf16, and ReLU's gradient written
// as the bf16 its gradient convolutions read, the bias's summed in the same pass.
import * as tf from '@tensorflow/tfjs';
import { CONV_BIAS_RELU } from '../conv-relu-layers.js';
import type { ConvAttrs } from '../window-attrs.js';
import { convGeometry, filterGradient, forward } from './conv.js';
import { Layout, RELU_GRAD_OP } from './eltwise.js';
import { sizeOf, type Args, type Info } from './kernel.js';
import type { NativeBackend } from './native-backend.js';

const RELU_GRAD = 'HypertuneReluGrad';
const FILTER_BIAS_GRAD = 'HypertuneConv2DBackpropFilterBias';
/** The kernels native has beyond tfjs' (no cpu kernel to fall back to: only the fused layer runs them). */
export const CONV_RELU_KERNELS = [CONV_BIAS_RELU, RELU_GRAD, FILTER_BIAS_GRAD] as const;

type Attrs = Pick<ConvAttrs, 'strides' | 'pad'>;
const convAttrs = (a: Attrs): ConvAttrs => ({ strides: a.strides, pad: a.pad, dilations: 1, dataFormat: 'NHWC' } as ConvAttrs);

export function convBiasRelu({ inputs: { x, filter, bias }, backend, attrs }: Args<Attrs>): Info {
  const { geometry, outShape } = convGeometry(x!.shape, filter!.shape, convAttrs(attrs));
  const y = backend.alloc(sizeOf(outShape));
  forward(backend, x!, filter!, bias, y, geometry, true);
  return backend.output(outShape, y);
}

/** The same conv with its output only as bf16 (native's direct step, where only bf16 kernels read it: direct-step-bf16.ts). */
export function convBiasReluToBf16({ inputs: { x, filter, bias }, backend, attrs }: Args<Attrs>): Info {
  const { geometry, outShape } = convGeometry(x!.shape, filter!.shape, convAttrs(attrs));
  const y = backend.allocBf16(sizeOf(outShape));
  forward(backend, x!, filter!, bias, y, geometry, true);
  return backend.bf16Output(outShape, y);
}

export function reluGrad({ inputs: { dy, y }, backend }: Args): Info {
  const out = backend.alloc(sizeOf(dy!.shape));
  if (out.length > 0) backend.addon.binary(RELU_GRAD_OP, backend.values(dy!), backend.values(y!), out, Layout.Same, 1);
  return backend.output([...dy!.shape], out);
}

/**
 * ReLU's gradient of a conv whose gradients run in bf16, written as the bf16-only tensor they read,
 * and the bias's gradient summed in the same pass (the bits of sumLeading's). `yBf16`: y exists
 * only as bf16 (convBiasReluToBf16).
 */
export function reluGradToBf16(backend: NativeBackend, dy: Info, y: Info, yBf16: boolean): [dz: Info, db: Info] {
  const channels = dy.shape[dy.shape.length - 1];
  const dz = backend.allocBf16(sizeOf(dy.shape));
  const db = backend.alloc(channels);
  backend.addon.reluGradMixed(backend.values(dy), yBf16 ? backend.bf16(y) : backend.values(y), dz, db, channels);
  return [backend.bf16Output([...dy.shape], dz), backend.output([channels], db)];
}

export function filterBiasGrad({ inputs: { x, dy }, backend, attrs }: Args<Attrs & { filterShape: number[] }>): Info[] {
  const { geometry } = convGeometry(x!.shape, attrs.filterShape, convAttrs(attrs));
  const dw = backend.alloc(sizeOf(attrs.filterShape));
  const db = backend.alloc(attrs.filterShape[3]);
  filterGradient(backend, x!, dy!, dw, geometry, db);
  return [backend.output([...attrs.filterShape], dw), backend.output([db.length], db)];
}

/** Registers the three kernels on `backendName` and CONV_BIAS_RELU's gradient (once per process). */
export function registerConvRelu(backendName: string): void {
  const runs = [convBiasRelu, reluGrad, filterBiasGrad];
  CONV_RELU_KERNELS.forEach((kernelName, i) => tf.registerKernel({ kernelName, backendName, kernelFunc: runs[i] as unknown as tf.KernelFunc }));
  tf.registerGradient({
    kernelName: CONV_BIAS_RELU,
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved as tf.Tensor4D[];
      const run = (name: string, inputs: tf.NamedTensorMap, a: object) => tf.engine().runKernel(name, inputs, a as tf.NamedAttrMap);
      // Computed here, not in the thunks: each thunk runs in its own tidy, and filter and bias share one pass.
      const dz = run(RELU_GRAD, { dy: dy as tf.Tensor, y }, {}) as tf.Tensor;
      const [dw, db] = run(FILTER_BIAS_GRAD, { x, dy: dz }, { ...attrs, filterShape: filter.shape }) as tf.Tensor[];
      return {
        x: () => run('Conv2DBackpropInput', { dy: dz, filter }, { ...convAttrs(attrs as unknown as Attrs), inputShape: x.shape }) as tf.Tensor,
        filter: () => dw,
        bias: () => db,
      };
    },
  });
}
