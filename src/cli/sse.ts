// A server-sent events parser (the WHATWG event-stream format) over a fetch body: Node 20 has
// fetch but no EventSource, and the CLI needs Last-Event-ID handling of its own anyway.

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
  let buffer = '';
  let lastId: string | undefined;
  let event = '';
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (!done) buffer += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
        // A lone \r at the end may be the first half of \r\n: wait for more input, unless there is none.
        if (buffer[nl] === '\r' && nl === buffer.length - 1 && !done) break;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
        if (line === '') {
          if (data.length) yield { id: lastId, event: event || 'message', data: data.join('\n') };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(val);
        else if (field === 'event') event = val;
        else if (field === 'id' && !val.includes('\0')) lastId = val;
        else if (field === 'retry' && /^\d+$/.test(val)) cb.onRetry?.(Number(val));
      }
      if (done) return; // a message without its blank line is incomplete: dropped, as EventSource does
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
