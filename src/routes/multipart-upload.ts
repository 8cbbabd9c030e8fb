// A multipart form whose files are streamed to disk as they arrive (POST /datasets): the text
// fields become req.body (validated by the route's schema), each file goes to
// <dir>/<upload id>/<field>, and the limit on all files together is enforced while streaming (413),
// so an upload of hundreds of MB never sits in the API's memory. Files a request leaves unclaimed
// (a 4xx after they were written) are removed once it is answered (discardUpload).
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../domain/errors.js';
import { TooLargeError } from '../datasets/limits.js';
import { formError, UnsupportedMediaTypeError, type FormLimits } from './multipart-form.js';

export interface UploadedFiles {
  /** A fresh id; its folder holds the files. */
  id: string;
  dir: string;
  /** By form field: where it is and its size. */
  files: Map<string, { path: string; bytes: number }>;
}

export interface UploadFormOptions extends FormLimits {
  /** DATASET_UPLOAD_DIR */
  dir: string;
  /** Run before any byte is read (e.g. a quota already reached answers at once). */
  before?: (req: FastifyRequest) => Promise<void>;
}

const UPLOADS = new WeakMap<FastifyRequest, UploadedFiles>();

/** A preValidation hook; anything but multipart/form-data is a 415. */
export function multipartUpload(opts: UploadFormOptions) {
  return async (req: FastifyRequest): Promise<void> => {
    if (!req.isMultipart()) throw new UnsupportedMediaTypeError(`${req.method} ${req.routeOptions.url} takes multipart/form-data`);
    await opts.before?.(req);
    const id = randomUUID();
    const upload: UploadedFiles = { id, dir: join(opts.dir, id), files: new Map() };
    const fields: Record<string, string> = Object.create(null);
    const parts = req.parts({ limits: { fileSize: opts.maxBytes, files: opts.maxFiles, fields: 20, fieldSize: 1 << 20, parts: opts.maxFiles + 20 } });
    try {
      await mkdir(upload.dir, { recursive: true });
      await readParts(parts, fields, upload, opts);
    } catch (err) {
      await rm(upload.dir, { recursive: true, force: true });
      throw formError(err);
    }
    req.body = fields;
    UPLOADS.set(req, upload);
  };
}

async function readParts(parts: AsyncIterable<Multipart>, fields: Record<string, string>, upload: UploadedFiles, limits: FormLimits): Promise<void> {
  let total = 0;
  for await (const part of parts) {
    const name = part.fieldname;
    if (part.type === 'file') {
      if (upload.files.has(name)) throw new ValidationError(name, 'is sent twice');
      // Field names become file names: only plain ones (the formats' fields are letters).
      if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(name)) throw new ValidationError(name.slice(0, 64) || 'body', 'is not a file field of any format');
      const path = join(upload.dir, name);
      let bytes = 0;
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          total += chunk.length;
          if (total > limits.maxBytes) done(new TooLargeError(`${name}: the upload exceeds ${limits.maxBytes} bytes (${limits.limitName})`));
          else done(null, chunk);
        },
      });
      await pipeline(part.file, count, createWriteStream(path)); // a file over fileSize: @fastify/multipart's 413
      upload.files.set(name, { path, bytes });
    } else {
      if (name in fields) throw new ValidationError(name, 'is sent twice');
      fields[name] = String(part.value);
    }
  }
}

/** The request's uploaded files (removed once it is answered, unless kept). */
export function uploadOf(req: FastifyRequest): UploadedFiles {
  const upload = UPLOADS.get(req);
  if (!upload) throw new Error('no multipart upload on this request');
  return upload;
}

/** The upload's files are now someone else's (the decoding process's) to remove. */
export const keepUpload = (req: FastifyRequest): boolean => UPLOADS.delete(req);

/** An onResponse hook: removes the files of an upload nobody claimed. */
export async function discardUpload(req: FastifyRequest): Promise<void> {
  const upload = UPLOADS.get(req);
  if (!upload) return;
  UPLOADS.delete(req);
  await rm(upload.dir, { recursive: true, force: true });
}
