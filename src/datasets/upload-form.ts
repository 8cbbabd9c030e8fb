// The checks of an upload's form that need no file's content: the format's options and file
// fields, and the options' syntax. POST /datasets runs them at once (a 400 before anything is
// stored); the decoding process runs them again through parseUpload.
import type { DatasetFormat, UploadFields } from '../domain/datasets.js';
import { ValidationError } from '../domain/errors.js';
import { CHANNEL_COUNTS } from './limits.js';
import { checkClassCount, checkClassNames } from './parsed.js';

export type { UploadFields } from '../domain/datasets.js';

export const FILE_FIELDS: Record<DatasetFormat, { required: string[]; optional: string[] }> = {
  idx: { required: ['trainImages', 'trainLabels'], optional: ['testImages', 'testLabels'] },
  'images-zip': { required: ['file'], optional: ['testFile'] },
  csv: { required: ['file'], optional: ['testFile'] },
};

const OPTIONS: Record<DatasetFormat, (keyof UploadFields)[]> = {
  idx: ['labels'],
  'images-zip': ['inputShape', 'channels'],
  csv: ['labels', 'inputShape', 'pixelMax'],
};

/** The options, parsed. */
export interface UploadOptions {
  labels?: string[];
  shape?: [number, number, number?];
  channels?: number;
  pixelMax?: number;
}

/** `files`: each file field's size in bytes. */
export function checkUploadForm(fields: UploadFields, files: Map<string, number>): UploadOptions {
  const { format } = fields;
  for (const key of ['labels', 'inputShape', 'channels', 'pixelMax'] as const)
    if (fields[key] !== undefined && !OPTIONS[format].includes(key))
      throw new ValidationError(key, `does not apply to format '${format}' (it takes ${OPTIONS[format].join(', ')})`);
  const expected = [...FILE_FIELDS[format].required, ...FILE_FIELDS[format].optional];
  for (const [field, size] of files) {
    if (!expected.includes(field)) throw new ValidationError(field, `is not a file of format '${format}' (it takes ${expected.join(', ')})`);
    if (size === 0) throw new ValidationError(field, 'is empty');
  }
  for (const field of FILE_FIELDS[format].required) if (!files.has(field)) throw new ValidationError(field, `is required for format '${format}'`);
  const shape = fields.inputShape === undefined ? undefined : parseShape(fields.inputShape);
  const channels = fields.channels === undefined ? undefined : parseChannels(fields.channels);
  if (channels !== undefined && shape?.[2] !== undefined && shape[2] !== channels)
    throw new ValidationError('channels', `is ${channels} but inputShape says ${shape[2]}`);
  return {
    labels: fields.labels === undefined ? undefined : parseLabels(fields.labels),
    shape, channels,
    pixelMax: fields.pixelMax === undefined ? undefined : parsePixelMax(fields.pixelMax),
  };
}

function parseLabels(raw: string): string[] {
  let names: unknown;
  if (raw.trim().startsWith('[')) {
    try {
      names = JSON.parse(raw);
    } catch {
      throw new ValidationError('labels', 'is not a valid JSON array of strings');
    }
  } else {
    names = raw.split(',').map((s) => s.trim());
  }
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))
    throw new ValidationError('labels', 'must be a JSON array of strings or comma-separated names');
  checkClassCount('labels', names.length);
  checkClassNames('labels', names);
  return names;
}

function parseShape(raw: string): [number, number, number?] {
  const text = raw.trim();
  const parts = text.startsWith('[') ? safeJson(text) : text.split(/\s*[,x]\s*/);
  const dims = Array.isArray(parts) ? parts.map((p) => (typeof p === 'number' ? p : /^\d+$/.test(String(p)) ? Number(p) : Number.NaN)) : [];
  if ((dims.length !== 2 && dims.length !== 3) || !dims.every((d) => Number.isInteger(d) && d >= 1))
    throw new ValidationError('inputShape', `must be [height, width] or [height, width, channels] of positive integers (e.g. [28, 28] or 28x28x1), got ${JSON.stringify(raw.slice(0, 40))}`);
  if (dims[2] !== undefined) parseChannels(String(dims[2]), 'inputShape');
  return dims as [number, number, number?];
}

function parseChannels(raw: string, field = 'channels'): number {
  const n = Number(raw.trim());
  if (!(CHANNEL_COUNTS as readonly number[]).includes(n)) throw new ValidationError(field, `channels must be 1 (grayscale) or 3 (RGB), got ${JSON.stringify(raw.slice(0, 20))}`);
  return n;
}

function parsePixelMax(raw: string): number {
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 65535) throw new ValidationError('pixelMax', `must be a number above 0 and at most 65535, got ${JSON.stringify(raw.slice(0, 20))}`);
  return n;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
