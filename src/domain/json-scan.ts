// One linear pass over a JSON body's bytes that bounds what JSON.parse would build: nesting depth,
// value count and token length. Pure, so the API's event loop (src/plugins/json-body.ts) and the
// inference threads (large prediction bodies, src/domain/instances-json.ts) check bodies alike.

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
