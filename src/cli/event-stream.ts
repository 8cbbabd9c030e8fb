// Follows GET /searches/:id/events to its end, reconnecting with Last-Event-ID when the connection
// drops (the service sends exactly the missed events, none twice), as EventSource would.
import { ApiError, CliError, type ApiClient } from './api-client.js';

export interface SearchEventMessage {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

export interface FollowOptions {
  /** Consecutive reconnections that bring nothing new before giving up. */
  maxReconnects?: number;
  /** Told about each reconnection (the views print it). */
  onReconnect?: (attempt: number, reason: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Calls `onEvent` for each event until `search.finished` (or a 204: already finished). */
export async function followEvents(
  api: ApiClient, searchId: string, onEvent: (e: SearchEventMessage) => void, opts: FollowOptions = {},
): Promise<void> {
  const { maxReconnects = 20, sleep = wait } = opts;
  const path = `/searches/${encodeURIComponent(searchId)}/events`;
  let lastId: string | undefined;
  let retryMs = 1000;
  let failures = 0;
  for (;;) {
    let reason: string;
    try {
      const stream = await api.openEvents(path, lastId, (ms) => { retryMs = ms; });
      if (!stream) return;
      for await (const msg of stream) {
        if (msg.id !== undefined) lastId = msg.id;
        failures = 0;
        onEvent({ id: msg.id, event: msg.event, data: parseData(msg.data) });
        if (msg.event === 'search.finished') return;
      }
      reason = 'the stream ended early';
    } catch (err) {
      // 4xx: the request itself is wrong (unknown search, no key); waiting will not fix it.
      if (err instanceof ApiError && err.status < 500) throw err;
      reason = err instanceof Error ? err.message : String(err);
    }
    if (++failures > maxReconnects) throw new CliError(`lost the event stream of search ${searchId}: ${reason}`);
    opts.onReconnect?.(failures, reason);
    await sleep(Math.min(retryMs * failures, 10_000));
  }
}

function parseData(data: string): Record<string, unknown> {
  try {
    const v = JSON.parse(data) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { text: data };
  }
}
