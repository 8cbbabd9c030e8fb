// One upload (the fields and files of POST /datasets, as plain values) checked and handed to its
// format's parser. Every mistake is a ValidationError naming the form field; sizes past
// DATASET_MAX_BYTES a TooLargeError (413).
import type { DatasetFormat } from '../domain/datasets.js';
import { ValidationError } from '../domain/errors.js';
import { parseCsvDataset } from './csv.js';
import { parseIdxDataset } from './idx.js';
import { parseImagesZipDataset } from './images-zip.js';
import { ByteBudget, CHANNEL_COUNTS } from './limits.js';
import { checkClassCount, checkClassNames, type ParsedDataset } from './parsed.js';

export interface UploadFields {
  name: string;
  format: DatasetFormat;
  /** Class names: a JSON array of strings, or comma-separated. */
  labels?: string;
  /** [height, width] or [height, width, channels]: a JSON array, comma- or 'x'-separated. */
  inputShape?: string;
  /** '1' (grayscale) or '3' (RGB). */
  channels?: string;
  /** The CSV's pixel range (default 255). */
  pixelMax?: string;
}

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

export async function parseUpload(fields: UploadFields, files: Map<string, Uint8Array>, maxBytes: number): Promise<ParsedDataset> {
  const { format } = fields;
  for (const key of ['labels', 'inputShape', 'channels', 'pixelMax'] as const)
    if (fields[key] !== undefined && !OPTIONS[format].includes(key))
      throw new ValidationError(key, `does not apply to format '${format}' (it takes ${OPTIONS[format].join(', ')})`);
  const expected = [...FILE_FIELDS[format].required, ...FILE_FIELDS[format].optional];
  for (const [field, bytes] of files) {
    if (!expected.includes(field)) throw new ValidationError(field, `is not a file of format '${format}' (it takes ${expected.join(', ')})`);
    if (bytes.length === 0) throw new ValidationError(field, 'is empty');
  }
  for (const field of FILE_FIELDS[format].required) if (!files.has(field)) throw new ValidationError(field, `is required for format '${format}'`);
  const budget = new ByteBudget(maxBytes);
  const labels = fields.labels === undefined ? undefined : parseLabels(fields.labels);
  const shape = fields.inputShape === undefined ? undefined : parseShape(fields.inputShape);
  const file = (name: string) => files.get(name)!;
  const optional = (name: string) => files.get(name);
  let parsed: ParsedDataset;
  if (format === 'idx') {
    parsed = await parseIdxDataset({ trainImages: file('trainImages'), trainLabels: file('trainLabels'), testImages: optional('testImages'), testLabels: optional('testLabels') }, { labels, budget });
  } else if (format === 'images-zip') {
    const channels = fields.channels === undefined ? undefined : parseChannels(fields.channels);
    if (channels !== undefined && shape?.[2] !== undefined && shape[2] !== channels)
      throw new ValidationError('channels', `is ${channels} but inputShape says ${shape[2]}`);
    const size = shape && { height: shape[0], width: shape[1] };
    parsed = await parseImagesZipDataset({ file: file('file'), testFile: optional('testFile') }, { size, channels: channels ?? shape?.[2], budget });
  } else {
    const pixelMax = fields.pixelMax === undefined ? 255 : parsePixelMax(fields.pixelMax);
    const csvShape = shape && [shape[0], shape[1], shape[2] ?? 1] as [number, number, number];
    parsed = await parseCsvDataset({ file: file('file'), testFile: optional('testFile') }, { shape: csvShape, pixelMax, labels, budget });
  }
  checkClassNames(labels ? 'labels' : FILE_FIELDS[format].required[0], parsed.labels);
  const present = new Set(parsed.train.labels);
  if (present.size < 2)
    throw new ValidationError(FILE_FIELDS[format].required.at(-1)!, `every training item is of class '${parsed.labels[parsed.train.labels[0]]}': a classifier needs at least 2 classes`);
  return parsed;
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
