// A compiled model's training step, routed past tfjs' graph executor, tape and engine where the
// active backend offers a direct step for it (native: ./native/direct-step.ts). tfjs-layers'
// fit and trainOnBatch ask the model for a train function (makeTrainFunction: inputs and
// targets in, [loss, metrics...] scalars out) and run everything else themselves (callbacks,
// logs, validation, stopTraining), so only that function is swapped; the model, its weights
// and its optimizer stay tfjs' own. A step of the smallest model of the notebook's space paid
// ~1-1.5 ms a step and ~0.5 s of JIT warm-up a trial to tfjs' per-op bookkeeping around ~75
// kernel calls (bench/RESULTS.md, issue 17); the direct step calls the same kernels itself.
import * as tf from '@tensorflow/tfjs';

/** What tfjs-layers' fit loop calls once per batch: [inputs..., targets...] in, [loss, metrics...] out. */
export type TrainFunction = (data: tf.Tensor[]) => tf.Scalar[];

/** A backend's direct step for `model`, or undefined where it does not cover the model (tfjs' own runs). */
export type DirectStepFactory = (model: tf.LayersModel) => TrainFunction | undefined;

const factories = new Map<string, DirectStepFactory>();
let enabled = true;

/** Offers `factory` for models trained while `backendName` is active (once per backend). */
export function registerDirectStep(backendName: string, factory: DirectStepFactory): void {
  factories.set(backendName, factory);
}

/** Turns direct steps off (or back on) for every model in this process: benchmarks compare both paths. */
export function setDirectSteps(on: boolean): void {
  enabled = on;
}

interface Trainable { makeTrainFunction(): TrainFunction }

/**
 * Makes `model` (compiled) ask for a direct step each time fit or trainOnBatch starts, on the
 * backend active then; tfjs' own train function wherever there is none.
 */
export function routeTrainStep(model: tf.LayersModel): void {
  // A Sequential trains through the LayersModel it wraps.
  const inner = ((model as unknown as { model?: tf.LayersModel }).model ?? model) as unknown as Trainable;
  const own = inner.makeTrainFunction.bind(inner);
  inner.makeTrainFunction = () => (enabled && factories.get(tf.getBackend())?.(model)) || own();
}
