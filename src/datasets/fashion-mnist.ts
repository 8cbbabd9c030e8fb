// The built-in Fashion-MNIST read from the gzipped IDX files Debian's dataset-fashion-mnist
// package installs; trusted files, so errors name the file rather than an upload's field.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DatasetImages } from '../domain/dataset-source.js';
import { parseIdx } from './idx-format.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist/';

function readIdx(file: string): { dims: number[]; data: Uint8Array } {
  let raw: Uint8Array = readFileSync(file);
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw); // gzip magic; plain files work too
  return parseIdx(raw, file);
}

/** Images (rank 3: N,H,W or rank 4: N,H,W,C) and their labels; only the first `limit` items. */
export function loadIdxImages(imagesPath: string, labelsPath: string, limit?: number): DatasetImages {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new Error(`${imagesPath}: expected rank 3 or 4 images, got dims [${images.dims.join(', ')}]`);
  }
  if (labels.dims.length !== 1) throw new Error(`${labelsPath}: expected rank 1 labels, got dims [${labels.dims.join(', ')}]`);
  const [n, height, width, channels = 1] = images.dims;
  if (labels.dims[0] !== n) throw new Error(`${imagesPath} has ${n} images but ${labelsPath} has ${labels.dims[0]} labels`);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new Error(`limit must be a non-negative integer, got ${limit}`);
  const count = limit === undefined ? n : Math.min(limit, n);
  const per = height * width * channels;
  // new Uint8Array(view) copies (Buffer#slice would not), so the decompressed files can be freed.
  return {
    images: new Uint8Array(images.data.subarray(0, count * per)),
    labels: new Uint8Array(labels.data.subarray(0, count)),
    count, height, width, channels,
  };
}

export function loadFashionMnist(dir: string = FASHION_MNIST_DIR, split: 'train' | 'test' = 'train', limit?: number): DatasetImages {
  const prefix = split === 'train' ? 'train' : 't10k';
  return loadIdxImages(
    path.join(dir, `${prefix}-images-idx3-ubyte.gz`), path.join(dir, `${prefix}-labels-idx1-ubyte.gz`), limit,
  );
}
