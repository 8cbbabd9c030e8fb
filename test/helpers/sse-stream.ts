// An event stream held open by a test: read in the background, closed when the test says (the
// client going away), unlike readSse, which reads to an end.
import type { SseEvent } from './sse.js';

export interface OpenStream {
  status: number;
  /** The error body when the server refused the stream. */
  body: unknown;
  events: SseEvent[];
  /** Resolves when the server ends the stream or the test closes it. */
  done: Promise<void>;
  close(): Promise<void>;
}

export async function openStream(url: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: SseEvent[] = [];
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
    const body = await res.json().catch(() => null);
    return { status: res.status, body, events, done: Promise.resolve(), close: async () => undefined };
  }
  const done = (async () => {
    let buffer = '';
    try {
      for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const fields: Record<string, string> = {};
          for (const line of buffer.slice(0, end).split('\n')) {
            const i = line.indexOf(':');
            if (i > 0) fields[line.slice(0, i)] = line.slice(i + 1).replace(/^ /, '');
          }
          buffer = buffer.slice(end + 2);
          if (fields.data !== undefined) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
        }
      }
    } catch {
      // closed by the test
    }
  })();
  return { status: res.status, body: null, events, done, close: async () => { abort.abort(); await done; } };
}
