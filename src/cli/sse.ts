// Server-sent events over a fetch body, parsed by eventsource-parser (the dashboard uses the same
// parser in the browser): Node 20 has fetch but no EventSource, and the CLI needs Last-Event-ID
// handling of its own anyway.
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseMessage {
  /** The last `id:` seen on the stream so far (ids persist across messages, as in EventSource). */
  id: string | undefined;
  event: string;
  data: string;
}

export interface SseCallbacks {
  /** A `retry:` field: how long the server asks clients to wait before reconnecting. */
  onRetry?: (ms: number) => void;
}

/** Yields each dispatched message; comment lines (`: keep-alive`) are skipped. */
export async function* parseSse(body: ReadableStream<Uint8Array>, cb: SseCallbacks = {}): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder(); // stream mode: a UTF-8 character split across chunks survives
  let lastId: string | undefined;
  let parsed: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (m) => parsed.push(m), onRetry: cb.onRetry });
  let endsInCr = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      // The parser holds back a trailing \r (it may be half of \r\n); at the end it is a line end.
      const text: string = done ? (endsInCr ? '\n' : '') : decoder.decode(value, { stream: true });
      if (text) {
        parser.feed(text);
        endsInCr = text.endsWith('\r');
      }
      const ready = parsed;
      parsed = [];
      for (const m of ready) {
        if (m.id !== undefined) lastId = m.id;
        yield { id: lastId, event: m.event ?? 'message', data: m.data };
      }
      if (done) return; // a message without its blank line is incomplete: dropped, as EventSource does
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
