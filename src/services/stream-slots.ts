// How many event streams may be open at once, per API key and in all, in this API process (a
// stream is a connection this process holds). A stream over a cap is refused before it reads anything.
import { RateLimitedError } from '../auth/errors.js';

export interface StreamCaps {
  /** Open streams per API key (per client address with authentication off). */
  perKey: number;
  /** Open streams in all. */
  total: number;
}

export class StreamSlots {
  private readonly open = new Map<string, number>();
  private count = 0;

  constructor(private readonly caps: StreamCaps) {}

  /** Takes a slot for `key`, or throws (429) naming the limit; the returned release frees it, once. */
  take(key: string): () => void {
    const mine = this.open.get(key) ?? 0;
    if (mine >= this.caps.perKey)
      throw new RateLimitedError(`too many open event streams for this key: at most ${this.caps.perKey} (EVENTS_MAX_STREAMS_PER_KEY); close one to open another`, { limit: this.caps.perKey });
    if (this.count >= this.caps.total)
      throw new RateLimitedError(`too many open event streams on this server: at most ${this.caps.total} (EVENTS_MAX_STREAMS); retry later`, { limit: this.caps.total });
    this.open.set(key, mine + 1);
    this.count++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.count--;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left > 0) this.open.set(key, left);
      else this.open.delete(key);
    };
  }

  /** Open streams of `key`, or in all. */
  used(key?: string): number {
    return key === undefined ? this.count : this.open.get(key) ?? 0;
  }
}
