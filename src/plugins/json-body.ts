// application/json bodies with a nesting limit. JSON.parse of 8 MB of `[` takes seconds on the
// event loop before any schema runs; one linear pass over the text first (structure outside strings,
// escapes honoured) refuses a body nested deeper than any request here can be, then Fastify's own
// parser (secure-json-parse, prototype-poisoning checks as Fastify configures them) parses it.
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../domain/errors.js';
import { appWide } from './plugin.js';

/**
 * Far above what a valid body nests: a search spec reaches 6 (body, model, layers, a layer, its
 * `when`, `when.in`), a predict body 6 (body, instances, an image of up to 4 dimensions).
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22, BACKSLASH = 0x5c, OPEN_ARRAY = 0x5b, OPEN_OBJECT = 0x7b, CLOSE_ARRAY = 0x5d, CLOSE_OBJECT = 0x7d;

/**
 * True when the UTF-8 `bytes` open more than `max` arrays or objects at once; stops at the first
 * such. Bytes, not a decoded string: the structural characters are ASCII, which UTF-8 never uses
 * inside a multi-byte character, and a refused body is never decoded at all.
 */
export function nestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === BACKSLASH) i++; // the escaped character, a quote included, ends nothing
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return false;
}

export const jsonBodyPlugin = appWide('hypertune-json-body', async (app: FastifyInstance) => {
  // Fastify's defaults (onProtoPoisoning, onConstructorPoisoning: 'error'), as its own parser has them.
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const bytes = body as Buffer; // parseAs: 'buffer'
    if (nestsDeeperThan(bytes, MAX_JSON_DEPTH)) return done(new ValidationError('body', `nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    parse(req, bytes as unknown as string, done); // secure-json-parse takes a Buffer as well
  });
});
