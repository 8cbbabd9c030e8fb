// The CLI's server-sent events reader (eventsource-parser underneath): framing split across arbitrary
// chunks, CRLF and CR line ends, multi-line data, comments, ids that persist, and an unfinished last message.
import { describe, expect, it } from 'vitest';
import { parseSse, type SseMessage } from '../../src/cli/sse.js';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({ start(c) { for (const s of chunks) c.enqueue(enc.encode(s)); c.close(); } });
}

async function collect(chunks: string[], onRetry?: (ms: number) => void): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const m of parseSse(streamOf(chunks), { onRetry })) out.push(m);
  return out;
}

const STREAM = 'retry: 1500\n: connected\n\nid: 0.t1s\nevent: trial.started\ndata: {"number":1}\n\n'
  + ': keep-alive\n\nid: 0.t1e1\nevent: trial.epoch\ndata: {"a":\ndata: 1}\n\nevent: note\ndata: no id here\n\n';

describe('parseSse', () => {
  it('parses events, multi-line data and comments, keeping the last id for later messages', async () => {
    const retries: number[] = [];
    const msgs = await collect([STREAM], (ms) => retries.push(ms));
    expect(msgs).toEqual([
      { id: '0.t1s', event: 'trial.started', data: '{"number":1}' },
      { id: '0.t1e1', event: 'trial.epoch', data: '{"a":\n1}' },
      { id: '0.t1e1', event: 'note', data: 'no id here' },
    ]);
    expect(retries).toEqual([1500]);
  });

  it('gives the same messages however the bytes are chunked, with any line ending', async () => {
    const whole = await collect([STREAM]);
    for (const ending of ['\n', '\r\n', '\r']) {
      const text = STREAM.replaceAll('\n', ending);
      for (const size of [1, 2, 3, 7, 64]) {
        const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
        expect(await collect(chunks), `${JSON.stringify(ending)} in chunks of ${size}`).toEqual(whole);
      }
    }
  });

  it('decodes a UTF-8 character split across chunks', async () => {
    const bytes = new TextEncoder().encode('data: Ankle boot ü\n\n');
    const cut = bytes.indexOf(0xc3) + 1;
    const stream = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(bytes.slice(0, cut)); c.enqueue(bytes.slice(cut)); c.close(); } });
    const msgs: SseMessage[] = [];
    for await (const m of parseSse(stream)) msgs.push(m);
    expect(msgs.map((m) => m.data)).toEqual(['Ankle boot ü']);
  });

  it('drops a message the stream ended in the middle of, and data-less blocks', async () => {
    expect(await collect(['event: x\n\nid: 1\ndata: complete\n\ndata: cut off'])).toEqual([{ id: '1', event: 'message', data: 'complete' }]);
  });
});
