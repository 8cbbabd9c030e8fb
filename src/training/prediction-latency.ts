// How long the service takes to predict one image with a trial's model: the `latency_ms`
// objective. Timed exactly along the serving path (TfjsInference, which the API's inference
// threads run): the artifact loaded as it is stored, then per call a [1, h, w, c] tensor built,
// one forward pass, the probabilities read back, on the backend the trial trained on. What
// every model pays alike (HTTP, JSON, the batcher's wait, decoding an image) is left out: it
// would not change which model is faster, only blur the difference.
import { median } from '../domain/early-stopping.js';
import type { ModelArtifact } from '../domain/model-artifact.js';
import { TfjsInference } from './inference.js';

/**
 * Untimed calls first: a freshly loaded model's first passes set up kernels and buffers for its
 * shapes (on a GPU, compile programs). Measured on the 2-core EPYC (nice 19 under load 5): the
 * first call took 12-100 ms where a steady one takes 0.3-1 ms (native, wasm), the second was
 * sometimes still 20 ms, and calls settled from the third or fourth; 5 leaves a margin.
 */
export const LATENCY_WARMUP_CALLS = 5;
/**
 * Timed calls, of which the median is the latency: single calls on a shared host jump 10x when a
 * GC or another process takes the core (seen above: 0.4 ms calls among 4-10 ms ones), which a mean
 * would carry into the objective and a median of enough calls ignores. 30 keeps that median
 * within the host's own variation at little cost: 35 calls of the notebook's 1.4 M-parameter CNN
 * took 80 ms on native and 230 ms on wasm (about 2.5 s on the pure-JS cpu fallback), once per trial.
 */
export const LATENCY_TIMED_CALLS = 30;

export interface LatencyOptions { warmupCalls?: number; timedCalls?: number }

/** The median of `timedCalls` single-input predictions (ms) after `warmupCalls` untimed ones. */
export async function predictionLatencyMs(artifact: ModelArtifact, inputShape: number[], options: LatencyOptions = {}): Promise<number> {
  const { warmupCalls = LATENCY_WARMUP_CALLS, timedCalls = LATENCY_TIMED_CALLS } = options;
  if (timedCalls < 1) throw new Error('timedCalls must be at least 1');
  const input = sampleInput(inputShape);
  const model = await new TfjsInference().load(artifact);
  try {
    for (let i = 0; i < warmupCalls; i++) await model.predict(input, 1, inputShape);
    const times: number[] = [];
    for (let i = 0; i < timedCalls; i++) {
      const start = performance.now();
      await model.predict(input, 1, inputShape); // awaits the read-back: the whole pass, on any backend
      times.push(performance.now() - start);
    }
    return median(times);
  } finally {
    model.dispose();
  }
}

/** One normalized image of a fixed pattern in [0, 1): not all zeros, which some kernels could skip through. */
function sampleInput(shape: number[]): Float32Array {
  const input = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < input.length; i++) input[i] = ((i * 2654435761) >>> 0) / 2 ** 32;
  return input;
}
