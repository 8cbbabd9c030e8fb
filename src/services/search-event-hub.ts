// One poll per search, shared by all of its event streams: the first stream starts it, the last
// one to leave stops it. Each poll reads what can have changed (src/services/search-progress.ts)
// and hands every stream the events its own cursor has not had; streams at the same cursor (the
// usual case: all of them, after their first poll) share one derivation and one framed text.
import { deriveEvents, formatCursor, formatEvent, type EventCursor, type SearchEvent } from './search-events.js';
import type { SearchProgress } from './search-progress.js';

/** The read a hub polls: SearchService.progress, scoped to a tenant (its 404 included). */
export interface ProgressSource {
  progress(id: string, tenant?: string, previous?: SearchProgress): Promise<SearchProgress>;
}

/** What one stream is sent after a read: its new events (maybe none), framed, and its cursor after them. */
export interface Batch {
  events: SearchEvent[];
  text: string;
  cursor: EventCursor;
}

export interface StreamSink {
  /** After every poll, with what this stream has not had yet. */
  deliver(batch: Batch): void;
  /** A poll failed: the stream ends (its client reconnects with its Last-Event-ID and misses nothing). */
  fail(err: unknown): void;
}

export interface Subscription {
  /** The stream's events up to the hub's latest read. */
  first: Batch;
  /** Leaves the hub (idempotent); the last stream to leave stops its poll. */
  leave(): void;
}

class SearchHub {
  private snapshot: SearchProgress | undefined;
  private readonly ready: Promise<void>;
  /** Streams joined or joining: the poll runs while there is one. */
  private members = 0;
  private readonly sinks = new Map<StreamSink, EventCursor>();
  /** Batches derived from the latest read, by the cursor they start from. */
  private readonly batches = new Map<string, Batch>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failure: unknown;

  constructor(private readonly read: (previous?: SearchProgress) => Promise<SearchProgress>, private readonly pollMs: number, private readonly onStop: () => void) {
    this.ready = read().then((p) => {
      this.snapshot = p;
      this.schedule();
    });
    this.ready.catch((err) => this.stop(err));
  }

  async join(sink: StreamSink, from: EventCursor): Promise<Subscription> {
    this.members++;
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      this.sinks.delete(sink);
      if (--this.members === 0) this.stop();
    };
    try {
      await this.ready;
      if (this.stopped) throw this.failure ?? new Error('event stream closed');
    } catch (err) {
      leave();
      throw err;
    }
    const first = this.batch(from);
    if (!first.cursor.ended) this.sinks.set(sink, first.cursor);
    return { first, leave };
  }

  /** What the latest read holds past `from`: derived once per read and cursor, whatever the number of streams there. */
  private batch(from: EventCursor): Batch {
    const key = formatCursor(from);
    let batch = this.batches.get(key);
    if (!batch) {
      const { events, cursor } = deriveEvents(this.snapshot!.search, this.snapshot!.trials, from);
      this.batches.set(key, (batch = { events, cursor, text: events.map(formatEvent).join('') }));
    }
    return batch;
  }

  private schedule() {
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), this.pollMs);
  }

  private async poll() {
    let next: SearchProgress;
    try {
      next = await this.read(this.snapshot);
    } catch (err) {
      if (this.stopped) return;
      const sinks = [...this.sinks.keys()];
      this.stop(err);
      for (const sink of sinks) sink.fail(err);
      return;
    }
    if (this.stopped) return;
    this.snapshot = next;
    this.batches.clear();
    for (const [sink, cursor] of [...this.sinks]) {
      const batch = this.batch(cursor);
      if (batch.cursor.ended) this.sinks.delete(sink);
      else this.sinks.set(sink, batch.cursor);
      sink.deliver(batch);
    }
    this.schedule();
  }

  private stop(failure?: unknown) {
    if (this.stopped) return;
    this.stopped = true;
    this.failure = failure;
    clearTimeout(this.timer);
    this.onStop();
  }
}

/** The hubs of one API process, keyed by search and tenant (a hub polls as one tenant; another's stream gets its own hub, and its 404). */
export class SearchEventHubs {
  private readonly hubs = new Map<string, SearchHub>();

  constructor(private readonly source: ProgressSource, private readonly pollMs: number) {}

  /** Opens a stream on search `id` from `from`. Rejects with the read's error (404 for a search this tenant cannot see). */
  subscribe(id: string, tenant: string | undefined, from: EventCursor, sink: StreamSink): Promise<Subscription> {
    const key = `${tenant ?? ''}\u0000${id}`;
    let hub = this.hubs.get(key);
    if (!hub) {
      const created: SearchHub = new SearchHub((previous) => this.source.progress(id, tenant, previous), this.pollMs, () => {
        if (this.hubs.get(key) === created) this.hubs.delete(key);
      });
      this.hubs.set(key, (hub = created));
    }
    return hub.join(sink, from);
  }

  /** How many searches are being polled now. */
  get polling(): number {
    return this.hubs.size;
  }
}
