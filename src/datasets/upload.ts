// One upload (the fields and files of POST /datasets, as plain values) checked and handed to its
// format's parser. Every mistake is a ValidationError naming the form field; sizes past
// DATASET_MAX_BYTES a TooLargeError (413). Runs in the decoding process (upload-child.ts).
import { ValidationError } from '../domain/errors.js';
import { parseCsvDataset } from './csv.js';
import { parseIdxDataset } from './idx.js';
import { parseImagesZipDataset } from './images-zip.js';
import { ByteBudget } from './limits.js';
import { checkClassNames, type ParsedDataset } from './parsed.js';
import { checkUploadForm, FILE_FIELDS, type UploadFields } from './upload-form.js';

export { FILE_FIELDS, type UploadFields } from './upload-form.js';

export async function parseUpload(fields: UploadFields, files: Map<string, Uint8Array>, maxBytes: number): Promise<ParsedDataset> {
  const { format } = fields;
  const { labels, shape, channels, pixelMax } = checkUploadForm(fields, new Map([...files].map(([k, v]) => [k, v.length])));
  const budget = new ByteBudget(maxBytes);
  const file = (name: string) => files.get(name)!;
  const optional = (name: string) => files.get(name);
  let parsed: ParsedDataset;
  if (format === 'idx') {
    parsed = await parseIdxDataset({ trainImages: file('trainImages'), trainLabels: file('trainLabels'), testImages: optional('testImages'), testLabels: optional('testLabels') }, { labels, budget });
  } else if (format === 'images-zip') {
    const size = shape && { height: shape[0], width: shape[1] };
    parsed = await parseImagesZipDataset({ file: file('file'), testFile: optional('testFile') }, { size, channels: channels ?? shape?.[2], budget });
  } else {
    const csvShape = shape && [shape[0], shape[1], shape[2] ?? 1] as [number, number, number];
    parsed = await parseCsvDataset({ file: file('file'), testFile: optional('testFile') }, { shape: csvShape, pixelMax: pixelMax ?? 255, labels, budget });
  }
  checkClassNames(labels ? 'labels' : FILE_FIELDS[format].required[0], parsed.labels);
  const present = new Set(parsed.train.labels);
  if (present.size < 2)
    throw new ValidationError(FILE_FIELDS[format].required.at(-1)!, `every training item is of class '${parsed.labels[parsed.train.labels[0]]}': a classifier needs at least 2 classes`);
  return parsed;
}
