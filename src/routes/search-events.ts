// GET /searches/:id/events: server-sent events of a search's progress. Polls the store (the record:
// trials run in other processes) and writes what src/services/search-events.ts derives. The SSE
// framing is written on reply.raw after the 404/400 checks, which go through the usual error handler.
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { IdParams } from '../schemas/common.js';
import type { EventStreamHeaders } from '../schemas/search-schemas.js';
import { deriveEvents, formatEvent, parseCursor, type EventCursor, type SearchEvent } from '../services/search-events.js';
import type { SearchService } from '../services/search-service.js';

export interface EventStreamOptions {
  /** How often the store is read for new progress. */
  pollMs: number;
  /** A comment line is sent when nothing was written for this long (proxies drop idle connections). */
  keepAliveMs?: number;
}

export function searchEventsRoute(app: FastifyInstance, searches: SearchService, opts: EventStreamOptions = { pollMs: 1000 }) {
  const { pollMs, keepAliveMs = 15_000 } = opts;
  // Open streams end before the server closes (otherwise close would wait on them forever).
  const open = new Set<() => void>();
  app.addHook('preClose', async () => { for (const stop of [...open]) stop(); });

  return async (req: FastifyRequest<{ Params: Static<typeof IdParams>; Headers: Static<typeof EventStreamHeaders> }>, reply: FastifyReply) => {
    const id = req.params.id;
    const from = parseCursor(req.headers['last-event-id']);
    const first = await searches.progress(id, req.tenant); // another tenant's or an unknown id: 404
    // EventSource stops reconnecting on a 204: the client has had search.finished.
    if (from.ended) return reply.status(204).send();
    let { events, cursor }: { events: SearchEvent[]; cursor: EventCursor } = deriveEvents(first.search, first.trials, from);

    reply.hijack();
    const res = reply.raw;
    const headers: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v;
    res.writeHead(200, {
      ...headers, // helmet's, set in onRequest
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform', // no-transform: no proxy compresses (buffers) it
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx: do not buffer
    });
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    let lastWrite = 0;
    const write = (chunk: string) => { res.write(chunk); lastWrite = Date.now(); };
    const stop = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      open.delete(stop);
      if (!res.writableEnded) res.end();
    };
    open.add(stop);
    res.on('close', stop); // the client went away: no more polling

    const send = () => {
      for (const e of events) write(formatEvent(e));
      if (cursor.ended) return stop();
      if (Date.now() - lastWrite >= keepAliveMs) write(': keep-alive\n\n');
      timer = setTimeout(poll, pollMs);
    };
    const poll = async () => {
      try {
        const { search, trials } = await searches.progress(id, req.tenant);
        if (closed) return;
        ({ events, cursor } = deriveEvents(search, trials, cursor));
        send();
      } catch (err) {
        // The client reconnects with its Last-Event-ID and misses nothing.
        req.log.warn({ err, searchId: id }, 'event stream stopped: reading progress failed');
        stop();
      }
    };
    write(`retry: ${Math.max(pollMs, 1000)}\n: connected\n\n`);
    send();
    return reply;
  };
}
