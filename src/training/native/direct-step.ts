// native's direct training step (../direct-step-route.ts) for the models the notebook's space
// builds: Conv2D (ReLU or linear, bias) and MaxPooling2D layers, Flatten, Dense (ReLU or linear,
// bias) layers and a Dense softmax classifier trained on sparse categorical cross-entropy and
// accuracy, no regularizers or constraints. It calls the kernels tfjs' path would (the fused conv-ReLU and its
// gradients, the products, softmax, the sparse loss and accuracy) in the order backpropagation
// would, on the backend's own arrays, and hands the gradients to the model's optimizer
// (applyGradients: the fused Adam, or tfjs' other optimizers), so weights, optimizer state,
// bf16 choices and buffers are those of the tfjs path. What differs is tfjs' per-op bookkeeping
// (graph executor, tape, scopes, tensor records), the softmax gradient and means, computed here
// in float32 JS loops like cpu's ops, not by ~10 tiny kernels, and in bf16 the activations and
// gradients that only bf16 kernels read, written as bf16 straight away (direct-step-bf16.ts, conv-relu.ts).
import * as tf from '@tensorflow/tfjs';
import type { PoolAttrs } from '../window-attrs.js';
import type { DirectStepFactory, TrainFunction } from '../direct-step-route.js';
import { convBiasRelu, convBiasReluToBf16, filterBiasGrad, reluGrad, reluGradToBf16 } from './conv-relu.js';
import { bf16Outputs } from './direct-step-bf16.js';
import { conv2dBackpropFilter, conv2dBackpropInput, fusedConv2d } from './conv.js';
import { ELTWISE_KERNELS } from './eltwise.js';
import { sizeOf, type Info } from './kernel.js';
import { batchMatMul, fusedMatMul } from './matmul.js';
import { maxPool, maxPoolGrad } from './pool.js';
import { sum } from './reduce.js';
import type { NativeBackend } from './native-backend.js';
import { softmax } from './softmax.js';
import { accuracy, crossEntropy, crossEntropyGrad } from './sparse-loss.js';

interface Weights { kernel: tf.Tensor; bias: tf.Tensor }
type Layer =
  | { kind: 'conv'; relu: boolean; strides: [number, number]; pad: 'valid' | 'same'; weights: () => Weights }
  | { kind: 'dense'; relu: boolean; weights: () => Weights }
  | { kind: 'maxPool'; attrs: PoolAttrs }
  | { kind: 'flatten' };

/** The fields of tfjs-layers' Conv2D, MaxPooling2D, Dense and Flatten the plan reads (not in their typings). */
interface LayerInternals {
  activation?: { getClassName(): string };
  useBias?: boolean;
  dataFormat?: string;
  dilationRate?: number[];
  strides?: [number, number];
  padding?: string;
  poolSize?: [number, number];
  kernel?: { read(): tf.Tensor } | null;
  bias?: { read(): tf.Tensor } | null;
  trainable: boolean;
  [extra: string]: unknown;
}

const EXTRAS = ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint'];

function weightsOf(l: LayerInternals): () => Weights {
  return () => ({ kernel: l.kernel!.read(), bias: l.bias!.read() });
}

/** The model's layers as the step runs them and its last Dense (softmax), or undefined when any part is not covered. */
function plan(model: tf.LayersModel): { layers: Layer[]; head: () => Weights } | undefined {
  const compiled = ((model as unknown as { model?: unknown }).model ?? model) as { loss?: unknown; metricsNames?: string[] };
  if (compiled.loss !== 'sparseCategoricalCrossentropy' || compiled.metricsNames?.join() !== 'loss,acc') return undefined;
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return undefined;
  const layers: Layer[] = [];
  // The rank of each layer's input, batch included: convolutions take images, dense layers rows.
  let rank = model.inputs[0].shape.length;
  const all = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  for (const [i, layer] of all.entries()) {
    const l = layer as unknown as LayerInternals;
    const name = layer.getClassName();
    const activation = l.activation?.getClassName();
    if (!l.trainable || EXTRAS.some((k) => l[k] != null)) return undefined;
    const last = i === all.length - 1;
    if (name === 'Flatten' && l.dataFormat !== 'channelsFirst' && !last) {
      layers.push({ kind: 'flatten' });
      rank = 2;
    } else if (name === 'MaxPooling2D' && rank === 4 && !last && l.dataFormat === 'channelsLast' && (l.padding === 'valid' || l.padding === 'same')) {
      layers.push({ kind: 'maxPool', attrs: { filterSize: l.poolSize!, strides: l.strides!, pad: l.padding } });
    } else if (name === 'Conv2D' && rank === 4 && !last && l.useBias && l.dataFormat === 'channelsLast' && (activation === 'relu' || activation === 'linear')
      && l.dilationRate!.every((d) => d === 1) && (l.padding === 'valid' || l.padding === 'same')) {
      layers.push({ kind: 'conv', relu: activation === 'relu', strides: l.strides!, pad: l.padding, weights: weightsOf(l) });
    } else if (name === 'Dense' && rank === 2 && l.useBias && (last ? activation === 'softmax' : activation === 'relu' || activation === 'linear')) {
      if (!last) layers.push({ kind: 'dense', relu: activation === 'relu', weights: weightsOf(l) });
      else return { layers, head: weightsOf(l) };
    } else return undefined;
  }
  return undefined;
}

const eltwise = (name: string) => ELTWISE_KERNELS.find((k) => k.name === name)!;
const ADD = eltwise('Add');
const RELU = eltwise('Relu');

/** The same data under another shape (a reshape: no copy, no new record). */
const reshaped = (t: Info, shape: number[]): Info => ({ dataId: t.dataId, shape, dtype: t.dtype });

/** Builds `model`'s direct step, or undefined when the plan does not cover it. */
export const nativeDirectStep: DirectStepFactory = (model) => {
  const p = plan(model);
  if (!p) return undefined;
  const { layers, head } = p;
  // Gradients flow back only as far as the first layer with weights (tfjs' tape stops there too).
  const weighted = (l: Layer) => l.kind === 'conv' || l.kind === 'dense';
  const firstWeighted = layers.findIndex(weighted);
  const names = model.trainableWeights.map((w) => (w.read() as tf.Variable).name);
  // Two weights (kernel, bias) per conv and dense layer and the head, in layer order: the gradients' order.
  if (names.length !== 2 * (layers.filter(weighted).length + 1)) return undefined;
  const step: TrainFunction = ([xs, ys]) => {
    const backend = tf.backend() as NativeBackend;
    if (xs.dtype !== 'float32' || ys.dtype !== 'float32' || xs.shape[0] === 0) throw new Error('direct step: float32 inputs of at least one row expected');
    const scope = new StepScope(backend);
    const { own, run } = scope;
    try {
      // Forward: each layer's input and output kept for its gradient.
      const inputs: Info[] = [];
      const outputs: Info[] = [];
      // In bf16, which activations only bf16 kernels read (direct-step-bf16.ts).
      const only16 = bf16Outputs(backend, layers, () => head().kernel, xs.shape[xs.shape.length - 1], xs.shape[0]);
      let a: Info = xs;
      for (const [i, layer] of layers.entries()) {
        inputs.push(a);
        if (layer.kind === 'flatten') a = reshaped(a, [a.shape[0], sizeOf(a.shape.slice(1))]);
        else if (layer.kind === 'maxPool') a = run(maxPool, { x: a }, layer.attrs);
        else if (layer.kind === 'conv') {
          const { kernel, bias } = layer.weights();
          const attrs = { strides: layer.strides, pad: layer.pad };
          a = only16[i] ? own(convBiasReluToBf16({ inputs: { x: a, filter: kernel, bias }, backend, attrs }))
            : layer.relu ? own(convBiasRelu({ inputs: { x: a, filter: kernel, bias }, backend, attrs }))
            : run(fusedConv2d, { x: a, filter: kernel, bias }, { ...attrs, dataFormat: 'NHWC', dilations: 1, activation: 'linear' });
        } else {
          const { kernel, bias } = layer.weights();
          const product = { transposeA: false, transposeB: false };
          // As tfjs' path: a ReLU dense trains unfused (tfjs-core fuses no activation under a
          // gradient), a linear one as _FusedMatMul with its bias.
          a = layer.relu
            ? run(RELU, { x: run(ADD, { a: run(batchMatMul, { a, b: kernel }, product), b: bias }, {}) }, {})
            : run(fusedMatMul, { a, b: kernel, bias }, { ...product, activation: 'linear' });
        }
        outputs.push(a);
      }
      const h = head();
      const logits = run(fusedMatMul, { a, b: h.kernel, bias: h.bias }, { transposeA: false, transposeB: false, activation: 'linear' });
      const probs = run(softmax, { logits }, { dim: -1 });
      const n = probs.shape[0];
      const lossRows = own(crossEntropy({ inputs: { labels: ys, probs }, backend, attrs: {} }));
      const hits = own(accuracy({ inputs: { labels: ys, probs }, backend, attrs: {} }));
      const loss = mean(backend.values(lossRows));
      const acc = mean(backend.values(hits));

      // Backward: the mean's gradient, the loss's, softmax's, then each layer's.
      const dRows = backend.alloc(n).fill(Math.fround(1 / n));
      const dProbs = own(crossEntropyGrad({ inputs: { dy: own(backend.output([n], dRows)), labels: ys, probs }, backend, attrs: {} }));
      const grads: Info[] = [];
      let dy = own(softmaxGrad(backend, dProbs, probs));
      dy = denseGrads(scope, a, dy, h.kernel, grads, firstWeighted >= 0);
      for (let i = layers.length - 1; i >= Math.max(firstWeighted, 0); i--) {
        const layer = layers[i];
        const x = inputs[i];
        if (layer.kind === 'flatten') {
          dy = reshaped(dy, [...x.shape]);
          continue;
        }
        if (layer.kind === 'maxPool') {
          dy = run(maxPoolGrad, { dy, input: x, output: outputs[i] }, layer.attrs); // tfjs' MaxPool gradient
          continue;
        }
        const { kernel } = layer.weights();
        // A bf16 ReLU conv's gradients read dz as bf16 only: written so, the bias's summed alongside.
        const dz16 = layer.kind === 'conv' && layer.relu && backend.convInBf16(x.shape[3]) ? reluGradToBf16(backend, dy, outputs[i], only16[i]).map(own) : undefined;
        const dz = dz16?.[0] ?? (layer.relu ? own(reluGrad({ inputs: { dy, y: outputs[i] }, backend, attrs: {} })) : dy);
        if (layer.kind === 'dense') dy = denseGrads(scope, x, dz, kernel, grads, i > firstWeighted);
        else {
          const attrs = { strides: layer.strides, pad: layer.pad };
          const filterGrad = () => run(conv2dBackpropFilter, { x, dy: dz }, { ...attrs, dataFormat: 'NHWC', dilations: 1, filterShape: kernel.shape });
          // As tfjs' path: the fused conv-ReLU's gradient takes the bias's from oneDNN's filter pass
          // (in bf16 a float32 sum of dz), a linear conv's (FusedConv2D's gradient) is a Sum.
          const [dw, db] = dz16 ? [filterGrad(), dz16[1]]
            : layer.relu ? filterBiasGrad({ inputs: { x, dy: dz }, backend, attrs: { ...attrs, filterShape: kernel.shape } }).map(own)
            : [filterGrad(), biasGrad(run, dz)];
          grads.unshift(dw, db);
          if (i > firstWeighted) dy = run(conv2dBackpropInput, { dy: dz, filter: kernel }, { ...attrs, dataFormat: 'NHWC', dilations: 1, inputShape: x.shape });
        }
      }
      const named: tf.NamedTensorMap = {};
      grads.forEach((g, i) => {
        // The optimizer's tensors: they take the record's reference (it is freed with them).
        named[names[i]] = tf.engine().makeTensorFromTensorInfo(g);
      });
      scope.release(grads);
      try {
        model.optimizer.applyGradients(named);
      } finally {
        tf.dispose(Object.values(named));
      }
      return [tf.scalar(loss), tf.scalar(acc)];
    } finally {
      scope.dispose();
    }
  };
  return step;
};

/** A float32 mean as cpu's Mean computes it: each value divided by the count in float32, summed in double. */
function mean(values: Float32Array): number {
  let s = 0;
  for (const v of values) s += Math.fround(v / values.length);
  return Math.fround(s);
}

/** Softmax's gradient as tfjs composes it: dy·y − Σ(dy·y)·y per row, each step rounded to float32. */
function softmaxGrad(backend: NativeBackend, dProbs: Info, probs: Info): Info {
  const [n, width] = probs.shape;
  const dp = backend.values(dProbs);
  const p = backend.values(probs);
  const out = backend.alloc(n * width);
  const f = Math.fround;
  for (let start = 0; start < out.length; start += width) {
    let s = 0;
    for (let j = start; j < start + width; j++) {
      out[j] = f(dp[j] * p[j]);
      s += out[j];
    }
    const sum = f(s);
    for (let j = start; j < start + width; j++) out[j] = f(out[j] - f(sum * p[j]));
  }
  return backend.output([n, width], out);
}

/** A bias's gradient, owned: dy summed over every axis but the last, by the Sum kernel tfjs' path runs. */
const biasGrad = (run: StepScope['run'], dy: Info): Info => run(sum, { x: dy }, { axis: dy.shape.slice(0, -1).map((_, i) => i), keepDims: false });

/** The records a step makes, freed when it ends (the backend's arrays go back to its pool). */
class StepScope {
  private made: Info[] = [];
  constructor(readonly backend: NativeBackend) {}
  readonly own = (t: Info): Info => (this.made.push(t), t);
  /** A native kernel's output, owned: the kernels fall back to cpu by declining, which the plan rules out. */
  readonly run = (k: { run(a: never): Info | null }, inputs: Record<string, Info>, attrs: object): Info => {
    const out = k.run({ inputs, backend: this.backend, attrs } as never);
    if (!out) throw new Error('direct step: a kernel declined its inputs');
    return this.own(out);
  };
  /** Stops owning `handed` (their records now belong to tensors). */
  release(handed: Info[]): void {
    this.made = this.made.filter((t) => !handed.includes(t));
  }
  dispose(): void {
    for (const t of this.made) this.backend.disposeData(t.dataId);
    this.made = [];
  }
}

/**
 * A dense layer's kernel and bias gradients (prepended to `grads`, which runs last layer first)
 * from its input x and its pre-activation gradient dz; the input's gradient when `wantInput`.
 */
function denseGrads({ run }: StepScope, x: Info, dz: Info, kernel: tf.Tensor, grads: Info[], wantInput: boolean): Info {
  const dw = run(batchMatMul, { a: x, b: dz }, { transposeA: true, transposeB: false });
  grads.unshift(dw, biasGrad(run, dz));
  return wantInput ? run(batchMatMul, { a: dz, b: kernel }, { transposeA: false, transposeB: true }) : dz;
}
