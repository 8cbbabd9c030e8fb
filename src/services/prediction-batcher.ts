// Dynamic batching of one loaded model's predictions, after Triton's dynamic batcher (a max batch
// size and a max queue delay): requests that arrive close together share one forward pass, whose
// output is split back per request in order. A pass over 64 images costs far less than 64 passes
// over one, so under concurrent load this raises the images/s served. As many passes run at once
// as the model can run in parallel (an inference pool's threads); requests that arrive while all
// are busy wait and form the next, larger pass. While other passes run, a pass takes a fair share
// of the images in hand (queued and running, split over the passes possible) rather than all it
// may: a pass of 64 while another thread waits for the requests that pass holds leaves that
// thread idle (bench/RESULTS.md, issue 14: 64 clients of one image each on the reference model).
import type { LoadedModel } from '../domain/training-port.js';

export interface BatchSettings {
  /** Images in one pass at most; a request with more runs alone. */
  maxImages: number;
  /** How long the oldest queued request waits for others before its pass runs; 0: at once. */
  waitMs: number;
}

/** No merging: every request its own pass (still one pass at a time). */
export const NO_BATCHING: BatchSettings = { maxImages: 1, waitMs: 0 };

interface Pending {
  inputs: Float32Array;
  count: number;
  shape: number[];
  /** Only requests of one input shape share a pass. */
  key: string;
  since: number;
  resolve(probs: Float32Array): void;
  reject(err: unknown): void;
}

export class PredictionBatcher {
  private readonly queue: Pending[] = [];
  private queuedImages = 0;
  /** Images in the passes under way. */
  private runningImages = 0;
  /** Passes under way; at most the model's parallelism (inline on the event loop: one). */
  private running = 0;
  private readonly parallelism: number;
  private timer: NodeJS.Timeout | undefined;

  /** `onPass`: told the size of every pass as it starts (GET /metrics). */
  constructor(private readonly model: LoadedModel, private readonly settings: BatchSettings, private readonly onPass?: (images: number) => void) {
    this.parallelism = Math.max(1, model.parallelism ?? 1);
  }

  /** As LoadedModel.predict: probabilities, row-major [count, classes], for normalized inputs. */
  predict(inputs: Float32Array, count: number, shape: number[]): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ inputs, count, shape, key: shape.join('x'), since: performance.now(), resolve, reject });
      this.queuedImages += count;
      this.schedule();
    });
  }

  /** Runs passes while one is due (a full batch, or the oldest request has waited long enough) and one may start, else waits for the oldest's deadline. */
  private schedule(): void {
    while (this.running < this.parallelism && this.queue.length > 0) {
      const waited = performance.now() - this.queue[0].since;
      if (this.queuedImages < this.passLimit() && waited < this.settings.waitMs) {
        // A timer set for an older request fires no later than the oldest's deadline: schedule() re-arms it.
        this.timer ??= setTimeout(() => { this.timer = undefined; this.schedule(); }, Math.ceil(this.settings.waitMs - waited));
        return;
      }
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.runPass();
    }
  }

  /** Images one pass may take: the max, or, while other passes run, a fair share of the images in hand. */
  private passLimit(): number {
    if (this.parallelism === 1 || this.running === 0) return this.settings.maxImages;
    return Math.min(this.settings.maxImages, Math.ceil((this.queuedImages + this.runningImages) / this.parallelism));
  }

  /** The oldest request and those after it, of its shape, that fit in one pass (arrival order kept). */
  private take(): Pending[] {
    const [first] = this.queue;
    const limit = this.passLimit();
    let images = first.count;
    let n = 1;
    while (n < this.queue.length && this.queue[n].key === first.key && images + this.queue[n].count <= limit) {
      images += this.queue[n].count;
      n++;
    }
    this.queuedImages -= images;
    return this.queue.splice(0, n);
  }

  private async runPass(): Promise<void> {
    const pass = this.take(); // before any await: schedule() counts on the queue having shrunk
    this.running++; // after take(): its limit counts the passes running beside this one
    const total = pass.reduce((sum, p) => sum + p.count, 0);
    this.runningImages += total;
    try {
      this.onPass?.(total);
      const probs = await this.model.predict(pass.length === 1 ? pass[0].inputs : concat(pass), total, pass[0].shape);
      if (pass.length === 1) {
        pass[0].resolve(probs);
      } else {
        const classes = probs.length / total;
        if (!Number.isInteger(classes)) throw new Error(`a pass over ${total} images returned ${probs.length} values`);
        let at = 0;
        for (const p of pass) {
          p.resolve(probs.slice(at * classes, (at + p.count) * classes));
          at += p.count;
        }
      }
    } catch (err) {
      // Only this pass's requests fail; the queue goes on.
      for (const p of pass) p.reject(err);
    } finally {
      this.running--;
      this.runningImages -= total;
      this.schedule();
    }
  }
}

function concat(pass: Pending[]): Float32Array {
  const out = new Float32Array(pass.reduce((sum, p) => sum + p.inputs.length, 0));
  let at = 0;
  for (const p of pass) {
    out.set(p.inputs, at);
    at += p.inputs.length;
  }
  return out;
}
