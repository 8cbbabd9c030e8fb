// application/json bodies with a nesting limit, a value count and a token length limit. JSON.parse
// of 8 MB of `[` (or of millions of small values) takes seconds on the event loop before any
// schema runs; one linear pass over the bytes first (structure outside strings, escapes honoured)
// refuses a body nested deeper, holding more values or longer strings than its route's requests
// can (limits: body-limits.ts), then Fastify's own parser (secure-json-parse,
// prototype-poisoning checks as Fastify configures them) parses it. A route may take its large
// bodies off the event loop (config.decodeJson: predictions, decoded in the inference threads).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TooLargeError } from '../datasets/limits.js';
import { ValidationError } from '../domain/errors.js';
import { scanJson, type JsonScanLimits, type JsonScanProblem } from '../domain/json-scan.js';
import { limitOf, MAX_TOKEN_BYTES, SMALL_BODY, type RouteBodyLimit } from './body-limits.js';
import { appWide } from './plugin.js';

/**
 * Far above what a valid body nests: a search spec reaches 6 (body, model, layers, a layer, its
 * `when`, `when.in`), a predict body 6 (body, instances, an image of up to 4 dimensions).
 */
export const MAX_JSON_DEPTH = 64;

/** Routes the body-limits plugin leaves alone, and unknown URLs, get a small JSON route's limits. */
const FALLBACK: RouteBodyLimit = { route: 'this route', bytes: SMALL_BODY.bytes, bytesSetting: null, values: SMALL_BODY.values, valuesSetting: null, tokenBytes: MAX_TOKEN_BYTES };

/** The error for a body that breaks a limit: depth a 400 (no valid body nests so), size a 413. */
function refusal(problem: Exclude<JsonScanProblem, null>, l: RouteBodyLimit): Error {
  if (problem === 'depth') return new ValidationError('body', `nests deeper than ${MAX_JSON_DEPTH} levels`);
  if (problem === 'values') return new TooLargeError(`body: holds more than ${l.values} JSON values, ${limitOf(l.route, l.valuesSetting)}`);
  return new TooLargeError(`body: holds a string or number longer than ${l.tokenBytes} bytes, ${limitOf(l.route, null)}`);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Decodes a large body off the event loop (a prediction's pixels, in the inference threads):
     * the body the route gets, or undefined when the loop's own parser must judge it (its errors
     * then come out exactly as for a small body).
     */
    decodeJson?: (req: FastifyRequest, bytes: Buffer, limits: JsonScanLimits) => Promise<unknown>;
  }
}

/**
 * Bodies from this size go to a route's decodeJson: the pre-scan, parse and checks of ~32 KB (12
 * images) take about 0.3 ms of the event loop, those of a 256-image prediction (570 KB) 6-12 ms,
 * during which every other request (GET /health) waits. Smaller bodies stay on the loop, where a
 * hop to a thread would cost more than it saves.
 */
export const OFF_LOOP_JSON_BYTES = 32 * 1024;

export const jsonBodyPlugin = appWide('hypertune-json-body', async (app: FastifyInstance) => {
  // Fastify's defaults (onProtoPoisoning, onConstructorPoisoning: 'error'), as its own parser has them.
  const parse = app.getDefaultJsonParser('error', 'error');
  const onLoop = (req: FastifyRequest, bytes: Buffer, limit: RouteBodyLimit, done: (err: Error | null, body?: unknown) => void) => {
    const problem = scanJson(bytes, scanLimits(limit));
    if (problem) return done(refusal(problem, limit), undefined);
    parse(req, bytes as unknown as string, done); // secure-json-parse takes a Buffer as well
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const bytes = body as Buffer; // parseAs: 'buffer'
    const limit = req.routeOptions.config.bodyLimits ?? FALLBACK;
    const decode = req.routeOptions.config.decodeJson;
    if (!decode || bytes.length < OFF_LOOP_JSON_BYTES) return onLoop(req, bytes, limit, done);
    decode(req, bytes, scanLimits(limit)).then(
      (decoded) => (decoded === undefined ? onLoop(req, bytes, limit, done) : done(null, decoded)),
      (err: Error) => done(err, undefined),
    );
  });
});

const scanLimits = (l: RouteBodyLimit): JsonScanLimits => ({ depth: MAX_JSON_DEPTH, values: l.values, tokenBytes: l.tokenBytes });
