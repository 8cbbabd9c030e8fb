// A minimal server-sent events client over real HTTP (fetch), for the event stream tests.
export interface SseEvent { id: string; event: string; data: Record<string, unknown> }

export interface SseResult {
  status: number;
  headers: Headers;
  events: SseEvent[];
  comments: string[];
  /** True when the server ended the stream (not `stop`). */
  ended: boolean;
}

/** Reads until the server ends the stream, `stop` says so, or `timeoutMs` passes (then throws). */
export async function readSse(url: string, opts: { headers?: Record<string, string>; stop?: (r: SseResult) => boolean; timeoutMs?: number } = {}): Promise<SseResult> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`no end of stream within ${opts.timeoutMs ?? 60_000} ms`)), opts.timeoutMs ?? 60_000);
  try {
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...opts.headers }, signal: abort.signal });
    const result: SseResult = { status: res.status, headers: res.headers, events: [], comments: [], ended: false };
    if (!res.body || !res.headers.get('content-type')?.startsWith('text/event-stream')) {
      await res.body?.cancel();
      return result;
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      if (opts.stop?.(result)) { await reader.cancel(); return result; }
      const { value, done } = await reader.read();
      if (done) { result.ended = true; return result; }
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) { result.comments.push(line.slice(1).trim()); continue; }
          const i = line.indexOf(':');
          fields[line.slice(0, i)] = line.slice(i + 1).replace(/^ /, '');
        }
        if (fields.data !== undefined) result.events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
        if (opts.stop?.(result)) { await reader.cancel(); return result; }
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
