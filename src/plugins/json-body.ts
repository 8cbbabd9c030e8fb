// application/json bodies with a nesting limit, a value count and a token length limit. JSON.parse
// of 8 MB of `[` (or of millions of small values) takes seconds on the event loop before any
// schema runs; one linear pass over the bytes first (structure outside strings, escapes honoured)
// refuses a body nested deeper, holding more values or longer strings than its route's requests
// can (limits: body-limits.ts), then Fastify's own parser (secure-json-parse,
// prototype-poisoning checks as Fastify configures them) parses it.
import type { FastifyInstance } from 'fastify';
import { TooLargeError } from '../datasets/limits.js';
import { ValidationError } from '../domain/errors.js';
import { limitOf, MAX_TOKEN_BYTES, SMALL_BODY, type RouteBodyLimit } from './body-limits.js';
import { appWide } from './plugin.js';

/**
 * Far above what a valid body nests: a search spec reaches 6 (body, model, layers, a layer, its
 * `when`, `when.in`), a predict body 6 (body, instances, an image of up to 4 dimensions).
 */
export const MAX_JSON_DEPTH = 64;

export interface JsonScanLimits {
  depth: number;
  /** Values: scalars, arrays and objects; an object's keys are not counted. */
  values: number;
  /** The longest string (between its quotes, escapes as written) or number or literal. */
  tokenBytes: number;
}

/** What a body breaks first; null when it is within every limit (it may still not be valid JSON). */
export type JsonScanProblem = 'depth' | 'values' | 'token' | null;

const QUOTE = 0x22, BACKSLASH = 0x5c, OPEN_ARRAY = 0x5b, OPEN_OBJECT = 0x7b, CLOSE_ARRAY = 0x5d, CLOSE_OBJECT = 0x7d, COMMA = 0x2c, COLON = 0x3a;
const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d;

/** Ends a number or literal (true, false, null): structure, a quote or whitespace. */
const ENDS_TOKEN = new Uint8Array(256);
for (const c of [QUOTE, OPEN_ARRAY, OPEN_OBJECT, CLOSE_ARRAY, CLOSE_OBJECT, COMMA, COLON, SPACE, TAB, LF, CR]) ENDS_TOKEN[c] = 1;

/**
 * Checks the UTF-8 `bytes` against `limits` in one pass, stopping at the first limit broken.
 * Bytes, not a decoded string: the structural characters are ASCII, which UTF-8 never uses inside
 * a multi-byte character, and a refused body is never decoded at all. Malformed JSON is left to
 * the parser; the pass only ever counts what it sees, so no input makes it do more than one step per byte.
 */
export function scanJson(bytes: Uint8Array, limits: JsonScanLimits): JsonScanProblem {
  const isObject = new Uint8Array(limits.depth + 2); // per open container: 1 for an object
  let depth = 0;
  let values = 0;
  let expectKey = false; // the next string is an object's key
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      const start = i;
      for (i++; i < n && bytes[i] !== QUOTE; i++) if (bytes[i] === BACKSLASH) i++; // an escaped quote ends nothing
      if (i - start - 1 > limits.tokenBytes) return 'token';
      if (expectKey) expectKey = false;
      else if (++values > limits.values) return 'values';
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limits.depth) return 'depth';
      if (++values > limits.values) return 'values';
      isObject[depth] = c === OPEN_OBJECT ? 1 : 0;
      expectKey = c === OPEN_OBJECT;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      if (depth > 0) depth--;
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = depth > 0 && isObject[depth] === 1;
    } else if (ENDS_TOKEN[c] === 0) {
      const start = i;
      while (i + 1 < n && ENDS_TOKEN[bytes[i + 1]] === 0) i++;
      if (i - start + 1 > limits.tokenBytes) return 'token';
      if (++values > limits.values) return 'values';
    }
  }
  return null;
}

/** Routes the body-limits plugin leaves alone, and unknown URLs, get a small JSON route's limits. */
const FALLBACK: RouteBodyLimit = { route: 'this route', bytes: SMALL_BODY.bytes, bytesSetting: null, values: SMALL_BODY.values, valuesSetting: null, tokenBytes: MAX_TOKEN_BYTES };

/** The error for a body that breaks a limit: depth a 400 (no valid body nests so), size a 413. */
function refusal(problem: Exclude<JsonScanProblem, null>, l: RouteBodyLimit): Error {
  if (problem === 'depth') return new ValidationError('body', `nests deeper than ${MAX_JSON_DEPTH} levels`);
  if (problem === 'values') return new TooLargeError(`body: holds more than ${l.values} JSON values, ${limitOf(l.route, l.valuesSetting)}`);
  return new TooLargeError(`body: holds a string or number longer than ${l.tokenBytes} bytes, ${limitOf(l.route, null)}`);
}

export const jsonBodyPlugin = appWide('hypertune-json-body', async (app: FastifyInstance) => {
  // Fastify's defaults (onProtoPoisoning, onConstructorPoisoning: 'error'), as its own parser has them.
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const bytes = body as Buffer; // parseAs: 'buffer'
    const limit = req.routeOptions.config.bodyLimits ?? FALLBACK;
    const problem = scanJson(bytes, { depth: MAX_JSON_DEPTH, values: limit.values, tokenBytes: limit.tokenBytes });
    if (problem) return done(refusal(problem, limit), undefined);
    parse(req, bytes as unknown as string, done); // secure-json-parse takes a Buffer as well
  });
});
