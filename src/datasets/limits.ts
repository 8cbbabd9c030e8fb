// Size rules shared by every dataset parser: one byte budget per upload (DATASET_MAX_BYTES), taken
// from as files are decompressed and pixels decoded, so a gzip or zip bomb stops at the budget
// rather than at the machine's memory; and the shape limits of one image.
import { ValidationError } from '../domain/errors.js';

/**
 * Answered 413. Carries statusCode like Fastify's and @fastify/multipart's own size errors, which
 * src/http-errors.ts already turns into a 4xx with this code and message.
 */
export class TooLargeError extends Error {
  readonly statusCode = 413;
  readonly code = 'PAYLOAD_TOO_LARGE';
}

export class ByteBudget {
  private used = 0;
  constructor(readonly max: number) {}

  get remaining(): number {
    return this.max - this.used;
  }

  /** Counts `bytes` more for `what`; past the budget, a 413 naming it. */
  take(bytes: number, what: string): void {
    this.used += bytes;
    if (this.used > this.max) throw new TooLargeError(`${what}: the dataset would exceed ${this.max} bytes (DATASET_MAX_BYTES)`);
  }
}

/** An image side; larger ones can be resized with inputShape. */
export const MAX_SIDE = 1024;
export const CHANNEL_COUNTS = [1, 3] as const;
/**
 * The most pixel values one image holds: MAX_SIDE a side, with `channels` values a pixel. A CSV row
 * holds one image, so it bounds a row's cells.
 */
export const maxPixelValues = (channels: number) => MAX_SIDE * MAX_SIDE * channels;
/** The smallest search trains on 10 images (dataset.limit), so a dataset needs as many. */
export const MIN_TRAIN_ITEMS = 10;

export function checkShape(field: string, height: number, width: number, channels: number): void {
  if (!(height >= 1 && height <= MAX_SIDE && width >= 1 && width <= MAX_SIDE))
    throw new ValidationError(field, `images must be 1 to ${MAX_SIDE} pixels a side, got ${height}x${width}`);
  if (!(CHANNEL_COUNTS as readonly number[]).includes(channels))
    throw new ValidationError(field, `images must have 1 (grayscale) or 3 (RGB) channels, got ${channels}`);
}
