// Multipart forms (@fastify/multipart, registered in app.ts) read before validation: the text
// fields become req.body, checked by the route's schema like any JSON body (a missing or unknown
// field is the usual 400), and the files are set aside for the handler (filesOf). The route
// schema documents the files as binary properties, which the body never holds.
import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../domain/errors.js';
import { TooLargeError } from '../datasets/limits.js';

export interface FormLimits {
  /** All files together (each one too); past it, 413. */
  maxBytes: number;
  maxFiles: number;
  /** Why the limit exists, for the 413's message. */
  limitName: string;
}

/** Answered 415, handled like Fastify's own media-type errors (statusCode). */
export class UnsupportedMediaTypeError extends Error {
  readonly statusCode = 415;
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
}

const FILES = new WeakMap<FastifyRequest, Map<string, Uint8Array>>();

/** A preValidation hook; `required`: anything but multipart/form-data is a 415. */
export function multipartForm(limits: FormLimits, required: boolean) {
  return async (req: FastifyRequest): Promise<void> => {
    if (!req.isMultipart()) {
      if (required) throw new UnsupportedMediaTypeError(`${req.method} ${req.routeOptions.url} takes multipart/form-data`);
      return;
    }
    const fields: Record<string, string> = Object.create(null);
    const files = new Map<string, Uint8Array>();
    const parts = req.parts({ limits: { fileSize: limits.maxBytes, files: limits.maxFiles, fields: 20, fieldSize: 1 << 20, parts: limits.maxFiles + 20 } });
    try {
      await readParts(parts, fields, files, limits);
    } catch (err) {
      throw formError(err);
    }
    req.body = fields;
    FILES.set(req, files);
  };
}

async function readParts(parts: AsyncIterable<Multipart>, fields: Record<string, string>, files: Map<string, Uint8Array>, limits: FormLimits): Promise<void> {
  let total = 0;
  for await (const part of parts) {
    const name = part.fieldname;
    if (part.type === 'file') {
      const bytes = await part.toBuffer(); // a file over fileSize: @fastify/multipart's 413
      total += bytes.length;
      if (total > limits.maxBytes) throw new TooLargeError(`${name}: the upload exceeds ${limits.maxBytes} bytes (${limits.limitName})`);
      if (files.has(name)) throw new ValidationError(name, 'is sent twice');
      files.set(name, bytes);
    } else {
      if (name in fields) throw new ValidationError(name, 'is sent twice');
      fields[name] = String(part.value);
    }
  }
}

/** The files of a multipart request (by field name); empty for any other request. */
export const filesOf = (req: FastifyRequest): Map<string, Uint8Array> => FILES.get(req) ?? new Map();

/** Busboy's own parse errors ('Unexpected end of form') carry no status: the body is at fault. */
export function formError(err: unknown): unknown {
  const status = (err as { statusCode?: number }).statusCode;
  if (err instanceof ValidationError || (status !== undefined && status >= 400 && status < 500)) return err;
  return new ValidationError('body', 'is not a valid multipart/form-data body', { cause: err });
}
