// GET /searches/:id/events: server-sent events of a search's progress. The store is the record
// (trials run in other processes); one poll per search feeds all of its streams
// (src/services/search-event-hub.ts), and open streams are capped per key and in all. The SSE
// framing is written on reply.raw after the 400/429/404 checks, which go through the usual error handler.
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { IdParams } from '../schemas/common.js';
import type { EventStreamHeaders } from '../schemas/search-schemas.js';
import { SearchEventHubs, type Batch, type Subscription } from '../services/search-event-hub.js';
import { parseCursor } from '../services/search-events.js';
import type { SearchService } from '../services/search-service.js';
import { StreamSlots } from '../services/stream-slots.js';

export interface EventStreamOptions {
  /** How often the store is read for new progress (once per search, whatever its streams). */
  pollMs: number;
  /** A comment line is sent when nothing was written for this long (proxies drop idle connections). */
  keepAliveMs?: number;
  /** Open streams per API key (per client address with authentication off); default 10. */
  maxStreamsPerKey?: number;
  /** Open streams in all, in this process; default 1000. */
  maxStreams?: number;
}

export function searchEventsRoute(app: FastifyInstance, searches: SearchService, opts: EventStreamOptions = { pollMs: 1000 }) {
  const { pollMs, keepAliveMs = 15_000, maxStreamsPerKey = 10, maxStreams = 1000 } = opts;
  const hubs = new SearchEventHubs(searches, pollMs);
  const slots = new StreamSlots({ perKey: maxStreamsPerKey, total: maxStreams });
  // Open streams end before the server closes (otherwise close would wait on them forever).
  const open = new Set<() => void>();
  app.addHook('preClose', async () => { for (const stop of [...open]) stop(); });

  return async (req: FastifyRequest<{ Params: Static<typeof IdParams>; Headers: Static<typeof EventStreamHeaders> }>, reply: FastifyReply) => {
    const id = req.params.id;
    const from = parseCursor(req.headers['last-event-id']);
    const release = slots.take(req.apiKeyId ?? `ip:${req.ip}`); // over a cap: 429, before any read
    let closed = false;
    let lastWrite = 0;
    const res = reply.raw;
    const write = (chunk: string) => { if (chunk) { res.write(chunk); lastWrite = Date.now(); } };
    let sub: Subscription | undefined;
    let started = false;
    const early: Batch[] = [];
    const stop = () => {
      if (closed) return;
      closed = true;
      sub?.leave();
      release();
      open.delete(stop);
      if (!res.writableEnded) res.end();
    };
    const send = ({ text, cursor }: Batch) => {
      if (closed) return;
      write(text);
      if (cursor.ended) return stop();
      if (Date.now() - lastWrite >= keepAliveMs) write(': keep-alive\n\n');
    };
    try {
      // Another tenant's or an unknown id: 404.
      sub = await hubs.subscribe(id, req.tenant, from, {
        // A poll may complete between the first read and the headers below: kept until then.
        deliver: (batch) => (started ? send(batch) : early.push(batch)),
        fail: (err) => {
          // The client reconnects with its Last-Event-ID and misses nothing.
          req.log.warn({ err, searchId: id }, 'event stream stopped: reading progress failed');
          stop();
        },
      });
    } catch (err) {
      release();
      throw err;
    }
    // EventSource stops reconnecting on a 204: the client has had search.finished.
    if (from.ended) {
      sub.leave();
      release();
      return reply.status(204).send();
    }

    reply.hijack();
    const headers: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v;
    res.writeHead(200, {
      ...headers, // helmet's, set in onRequest
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform', // no-transform: no proxy compresses (buffers) it
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx: do not buffer
    });
    open.add(stop);
    res.on('close', stop); // the client went away: its slot is free, and the hub polls for it no more
    if (res.destroyed) return void stop(); // it went away while the first read ran

    write(`retry: ${Math.max(pollMs, 1000)}\n: connected\n\n`);
    started = true;
    for (const batch of [sub.first, ...early]) send(batch);
    return reply;
  };
}
