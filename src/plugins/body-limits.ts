// Per-route body limits. One app-wide BODY_LIMIT_BYTES let any JSON route take 8 MB, which
// JSON.parse holds the event loop for over a second before the route even looks at its id. Each
// route now takes what its largest valid request needs: a search (and a warm start) its own
// configurable bytes and JSON values, a prediction room for MAX_PREDICT_INSTANCES images, every
// other JSON route a small body. BODY_LIMIT_BYTES stays the ceiling over all of them; multipart
// routes (POST /datasets) keep it and set their own limits. The byte limit is checked on the
// content-length before a byte is read, the value count by the JSON parser's pre-scan (json-body.ts).
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { Transform } from 'node:stream';
import { TooLargeError } from '../datasets/limits.js';
import { appWide } from './plugin.js';

/** What one route's JSON body may hold, and the settings that raise each limit (null: none does), named in a 413. */
export interface RouteBodyLimit {
  route: string;
  bytes: number;
  bytesSetting: string | null;
  /** JSON values (scalars, arrays, objects; not keys) the pre-scan allows. */
  values: number;
  valuesSetting: string | null;
  /** The longest string or number token; Infinity where none is refused. */
  tokenBytes: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by the body-limits plugin's onRoute hook; absent on routes it leaves alone (and on 404s). */
    bodyLimits?: RouteBodyLimit;
  }
}

export interface BodyLimitSettings {
  /** BODY_LIMIT_BYTES: no route takes more. */
  ceiling: number;
  /** POST /searches and the warm start: SEARCH_BODY_LIMIT_BYTES, SEARCH_BODY_MAX_VALUES. */
  search: { bytes: number; values: number };
  /** MAX_PREDICT_INSTANCES: a prediction's body has room for this many images. */
  maxPredictInstances: number;
}

export const DEFAULT_SEARCH_BODY = { bytes: 256 * 1024, values: 32_768 };
/** Every other JSON route: a few ids, names or numbers (the largest, POST /api-keys, is a few hundred bytes). */
export const SMALL_BODY = { bytes: 16 * 1024, values: 1024 };
/** No name, id or number any request needs is near this long. */
export const MAX_TOKEN_BYTES = 4096;
/**
 * JSON values one predicted instance may take: a 28x28x3 image as [h][w][c] (pixels, pixel arrays,
 * rows, itself). Larger images go as PNG or JPEG, or fewer at a time.
 */
export const PREDICT_VALUES_PER_INSTANCE = 28 * 28 * 3 + 28 * 28 + 28 + 1;
/** Bytes of JSON per such value: "255," and its brackets, with room for spaces or decimals. */
const PREDICT_BYTES_PER_VALUE = 9;

const SEARCH_ROUTES = new Set(['POST /searches', 'POST /searches/:id/trials']);
const PREDICT_ROUTE = 'POST /models/:id/predict';
/** Multipart: its own limits (DATASET_MAX_BYTES), read as a stream, never as one JSON text. */
const UNTOUCHED = new Set(['POST /datasets']);
const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The limits a route gets, or undefined for routes without a JSON body of their own. */
export function routeBodyLimit(method: string, url: string, s: BodyLimitSettings): RouteBodyLimit | undefined {
  const route = `${method} ${url}`;
  if (BODYLESS.has(method) || UNTOUCHED.has(route)) return undefined;
  // The ceiling, where it is the lower, is what to raise.
  const limit = (bytes: number, bytesSetting: string | null, values: number, valuesSetting: string | null, tokenBytes: number): RouteBodyLimit =>
    ({ route, values, valuesSetting, tokenBytes, ...(bytes > s.ceiling ? { bytes: s.ceiling, bytesSetting: 'BODY_LIMIT_BYTES' } : { bytes, bytesSetting }) });
  if (SEARCH_ROUTES.has(route)) return limit(s.search.bytes, 'SEARCH_BODY_LIMIT_BYTES', s.search.values, 'SEARCH_BODY_MAX_VALUES', MAX_TOKEN_BYTES);
  if (route === PREDICT_ROUTE) {
    const values = s.maxPredictInstances * PREDICT_VALUES_PER_INSTANCE + 16;
    return limit(values * PREDICT_BYTES_PER_VALUE, 'MAX_PREDICT_INSTANCES', values, 'MAX_PREDICT_INSTANCES', Infinity);
  }
  return limit(SMALL_BODY.bytes, null, SMALL_BODY.values, null, MAX_TOKEN_BYTES);
}

/** "the limit of POST /searches (SEARCH_BODY_LIMIT_BYTES)": where a 413 comes from and what raises it. */
export const limitOf = (route: string, setting: string | null) => `the limit of ${route}${setting ? ` (${setting})` : ''}`;

/** The 413 for a body over its route's byte limit. */
export const bytesTooLarge = (l: RouteBodyLimit) => new TooLargeError(`body: exceeds ${l.bytes} bytes, ${limitOf(l.route, l.bytesSetting)}`);

export const bodyLimitsPlugin = appWide('hypertune-body-limits', async (app: FastifyInstance, { settings }: { settings: BodyLimitSettings }) => {
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const limit = methods.map((m) => routeBodyLimit(m, route.url, settings)).find((l) => l !== undefined);
    if (!limit) return;
    route.bodyLimit = limit.bytes;
    route.config = { ...route.config, bodyLimits: limit };
  });
  // Before Fastify's own check, which answers in its words and without the route's setting.
  app.addHook('preParsing', async (req: FastifyRequest, _reply, payload) => {
    const limit = req.routeOptions.config.bodyLimits;
    if (!limit) return payload;
    if (Number(req.headers['content-length']) > limit.bytes) throw bytesTooLarge(limit);
    if (req.headers['content-length'] !== undefined) return payload;
    return countBytes(payload, limit); // chunked: counted as it arrives
  });
});

/** Passes a body through, failing with the route's 413 once it exceeds the limit. */
function countBytes(payload: NodeJS.ReadableStream, limit: RouteBodyLimit): Transform {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, next) {
      seen += chunk.length;
      next(seen > limit.bytes ? bytesTooLarge(limit) : null, seen > limit.bytes ? undefined : chunk);
    },
  });
  payload.on('error', (err) => counter.destroy(err));
  return payload.pipe(counter);
}
