// IDX uploads (the MNIST format), gzipped or not: images of rank 3 (N,H,W) or 4 (N,H,W,C) and
// labels of rank 1, both unsigned bytes; optionally a test pair of the same shape.
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { DatasetImages } from '../domain/dataset-source.js';
import { ValidationError } from '../domain/errors.js';
import { parseIdx } from './idx-format.js';
import { ByteBudget, checkShape, TooLargeError } from './limits.js';
import { checkSameShape, checkTrainCount, numericClasses, type ParsedDataset } from './parsed.js';

const gunzipAsync = promisify(gunzip);

export interface IdxFiles {
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages?: Uint8Array;
  testLabels?: Uint8Array;
}

export async function parseIdxDataset(files: IdxFiles, opts: { labels?: string[]; budget: ByteBudget }): Promise<ParsedDataset> {
  if (!files.testImages !== !files.testLabels)
    throw new ValidationError(files.testImages ? 'testLabels' : 'testImages', 'is required with the other test file');
  const train = await readPair(files.trainImages, files.trainLabels, 'train', opts.budget);
  checkTrainCount('trainImages', train.count);
  const test = files.testImages && files.testLabels ? await readPair(files.testImages, files.testLabels, 'test', opts.budget) : null;
  if (test) checkSameShape('testImages', test, train);
  const sets = [{ field: 'trainLabels', labels: train.labels }, ...(test ? [{ field: 'testLabels', labels: test.labels }] : [])];
  return { train, test, labels: numericClasses(sets, opts.labels), pixelMax: 255 };
}

async function readPair(imagesFile: Uint8Array, labelsFile: Uint8Array, split: 'train' | 'test', budget: ByteBudget): Promise<DatasetImages> {
  const imagesField = `${split}Images`;
  const labelsField = `${split}Labels`;
  const images = await readIdx(imagesField, imagesFile, budget);
  const labels = await readIdx(labelsField, labelsFile, budget);
  if (images.dims.length !== 3 && images.dims.length !== 4)
    throw new ValidationError(imagesField, `must hold images of rank 3 (count, height, width) or 4 (…, channels), got dims [${images.dims.join(', ')}]`);
  if (labels.dims.length !== 1) throw new ValidationError(labelsField, `must hold labels of rank 1, got dims [${labels.dims.join(', ')}]`);
  const [count, height, width, channels = 1] = images.dims;
  if (count === 0) throw new ValidationError(imagesField, 'holds no images');
  checkShape(imagesField, height, width, channels);
  if (labels.dims[0] !== count) throw new ValidationError(labelsField, `holds ${labels.dims[0]} labels for ${count} images in ${imagesField}`);
  return { images: images.data, labels: labels.data, count, height, width, channels };
}

async function readIdx(field: string, file: Uint8Array, budget: ByteBudget): Promise<{ dims: number[]; data: Uint8Array }> {
  let raw = file;
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    // Decompressed bytes count against the budget, so a gzip bomb stops there.
    try {
      raw = await gunzipAsync(raw, { maxOutputLength: Math.max(1, budget.remaining) });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new TooLargeError(`${field}: decompressed, it exceeds the ${budget.max} bytes of DATASET_MAX_BYTES`);
      throw new ValidationError(field, 'is not a valid gzip file', { cause: err });
    }
  }
  budget.take(raw.byteLength, field);
  try {
    return parseIdx(raw, field);
  } catch (err) {
    // parseIdx says what is wrong after '<name>: '.
    throw new ValidationError(field, (err as Error).message.slice(field.length + 2));
  }
}
