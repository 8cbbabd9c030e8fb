// What the fused Adam steps of the `native` and `cuda` backends share: tfjs' AdamOptimizer's
// state as they read and update it, and the hook that sends applyGradients to a backend's fused
// step while that backend is active (tfjs' own method, or another backend's hook, otherwise).
import * as tf from '@tensorflow/tfjs';

export interface Moment { originalName: string; variable: tf.Variable }
export interface AdamState {
  learningRate: number; beta1: number; beta2: number; epsilon: number;
  accBeta1: tf.Variable; accBeta2: tf.Variable;
  accumulatedFirstMoment: Moment[]; accumulatedSecondMoment: Moment[];
  iterations: number;
  incrementIterations(): void;
}
export type Grads = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];

export const gradEntries = (g: Grads): [string, tf.Tensor | undefined][] =>
  Array.isArray(g) ? g.map((v) => [v.name, v.tensor]) : Object.entries(g);

/** New values of a variable and its two moments, as a backend's fused kernel writes them. */
export type FusedUpdate = (value: tf.Variable, m: tf.Variable, v: tf.Variable, gradient: tf.Tensor) => [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];

/**
 * One Adam step as tfjs keeps its state: per variable, its moments (made as tfjs names and
 * zero-fills them on first use) and `update`'s new values assigned, then accBeta1/2 and the
 * iteration count moved on. Only the fused kernel call differs between backends.
 */
export function adamStep(o: AdamState, g: Grads, update: FusedUpdate): void {
  tf.tidy(() => {
    gradEntries(g).forEach(([name, gradient], i) => {
      const value = tf.engine().registeredVariables[name];
      o.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      o.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      if (!gradient) return;
      const m = o.accumulatedFirstMoment[i].variable;
      const v = o.accumulatedSecondMoment[i].variable;
      const [p, mNext, vNext] = update(value, m, v, gradient).map((t) => tf.engine().makeTensorFromTensorInfo(t));
      m.assign(mNext);
      v.assign(vNext);
      value.assign(p);
    });
    o.accBeta1.assign(tf.mul(o.accBeta1, o.beta1));
    o.accBeta2.assign(tf.mul(o.accBeta2, o.beta2));
  });
  o.incrementIterations();
}

/** Every variable and gradient float32 and of matching size: what a fused step handles. */
function fusable(g: Grads): boolean {
  return gradEntries(g).every(([name, t]) => {
    const value = tf.engine().registeredVariables[name];
    return value && value.dtype === 'float32' && (!t || (t.dtype === 'float32' && t.size === value.size));
  });
}

const hooked = new Set<string>();

/** Routes AdamOptimizer.applyGradients to `step` while `backendName` is active; once per backend. */
export function hookAdam(backendName: string, step: (o: AdamState, g: Grads) => void): void {
  if (hooked.has(backendName)) return;
  hooked.add(backendName);
  const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients(g: Grads): void };
  const previous = proto.applyGradients; // tfjs' own, or another backend's hook (it checks its own backend)
  proto.applyGradients = function applyGradients(this: tf.AdamOptimizer, variableGradients: Grads): void {
    if (tf.getBackend() !== backendName || !fusable(variableGradients)) return previous.call(this, variableGradients);
    step(this as unknown as AdamState, variableGradients);
  };
}
