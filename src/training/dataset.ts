// Reads image classification data from IDX files (the MNIST format), gzipped as Debian's
// dataset-fashion-mnist package ships them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface ImageSet {
  images: Uint8Array; // count * height * width * channels, row-major, NHWC
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist/';
export const FASHION_MNIST_LABELS = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

const UBYTE = 0x08;

/** Parses an IDX file of unsigned bytes: magic 0x0000 08 <rank>, rank big-endian uint32 dims, data. */
export function parseIdx(buf: Uint8Array, name = 'IDX file'): { dims: number[]; data: Uint8Array } {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < 4 || view.getUint16(0) !== 0) throw new Error(`${name}: not an IDX file (bad magic number)`);
  const type = view.getUint8(2);
  const rank = view.getUint8(3);
  if (type !== UBYTE) throw new Error(`${name}: unsupported IDX data type 0x${type.toString(16)} (want unsigned byte 0x08)`);
  if (rank < 1 || buf.byteLength < 4 + 4 * rank) throw new Error(`${name}: truncated IDX header`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const size = dims.reduce((a, b) => a * b, 1);
  if (buf.byteLength - offset !== size) {
    throw new Error(`${name}: expected ${size} data bytes for dims [${dims.join(', ')}], found ${buf.byteLength - offset}`);
  }
  return { dims, data: buf.subarray(offset) };
}

function readIdx(file: string): { dims: number[]; data: Uint8Array } {
  let raw: Uint8Array = readFileSync(file);
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw); // gzip magic; plain files work too
  return parseIdx(raw, file);
}

/** Images (rank 3: N,H,W or rank 4: N,H,W,C) and their labels; only the first `limit` items. */
export function loadIdxImageSet(imagesPath: string, labelsPath: string, limit?: number): ImageSet {
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

export function loadFashionMnist(dir: string = FASHION_MNIST_DIR, split: 'train' | 'test' = 'train', limit?: number): ImageSet {
  const prefix = split === 'train' ? 'train' : 't10k';
  return loadIdxImageSet(
    path.join(dir, `${prefix}-images-idx3-ubyte.gz`), path.join(dir, `${prefix}-labels-idx1-ubyte.gz`), limit,
  );
}

/** Keras' validation_split: the LAST `fraction` of the items validate (split_at = int(count * (1 - fraction))). */
export function splitValidation(count: number, fraction: number): { trainCount: number; valCount: number } {
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`validation fraction must be in [0, 1), got ${fraction}`);
  const trainCount = Math.floor(count * (1 - fraction));
  return { trainCount, valCount: count - trainCount };
}
