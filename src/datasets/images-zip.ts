// A zip of PNG/JPEG images in one folder per class (Keras' image_dataset_from_directory layout):
// `<class>/<image>`, at any depth (a wrapping root folder is fine); the class is the image's own
// folder, class names sorted. Every image must share one size unless a size is given to resize
// them to; they are grayscale when all are stored so, RGB otherwise, unless channels are forced.
// The training items are shuffled (a fixed seed): validation takes the last part of a dataset, which
// in folder order would be the last class alone.
import JSZip from 'jszip';
import type { DatasetImages } from '../domain/dataset-source.js';
import { ValidationError } from '../domain/errors.js';
import { mulberry32 } from '../domain/rng.js';
import { decodeImage, readImageHeader, type ImageHeader, type PixelShape } from './image.js';
import { ByteBudget, checkShape, TooLargeError } from './limits.js';
import { checkClassCount, checkTrainCount, type ParsedDataset } from './parsed.js';
import { zipEntryCount } from './zip-directory.js';

export interface ImagesZipOptions {
  /** Resize every image to this size; without it, all images must share one size. */
  size?: { height: number; width: number };
  /** Force grayscale (1) or RGB (3). */
  channels?: number;
  budget: ByteBudget;
  /** Entries one archive may list (default MAX_ZIP_ENTRIES). */
  maxEntries?: number;
}

interface Entry {
  name: string;
  className: string;
  bytes: Uint8Array;
  header: ImageHeader;
}

const SHUFFLE_SEED = 0x5eed;
/** Fashion-MNIST's 70,000 images fit three times over; JSZip holds ~600 bytes of heap an entry. */
export const MAX_ZIP_ENTRIES = 250_000;
/** Images decoded at once: sharp decodes on libuv's thread pool. */
const PARALLEL = 4;

export async function parseImagesZipDataset(files: { file: Uint8Array; testFile?: Uint8Array }, opts: ImagesZipOptions): Promise<ParsedDataset> {
  // The images as stored in the zip and their decoded pixels are two budgets of DATASET_MAX_BYTES.
  const inflated = new ByteBudget(opts.budget.max);
  const trainEntries = await readEntries('file', files.file, inflated, opts.maxEntries);
  const labels = [...new Set(trainEntries.map((e) => e.className))].sort();
  checkClassCount('file', labels.length);
  const shape = shapeOf('file', trainEntries, opts);
  const train = await decodeAll('file', shuffled(trainEntries), labels, shape, opts.budget);
  checkTrainCount('file', train.count);
  let test: DatasetImages | null = null;
  if (files.testFile) {
    const testEntries = await readEntries('testFile', files.testFile, inflated, opts.maxEntries);
    const size = opts.size ?? sizeOf('testFile', testEntries); // without a resize, test images must have the training size
    if (size.height !== shape.height || size.width !== shape.width)
      throw new ValidationError('testFile', `test images are ${size.width}x${size.height} but training images are ${shape.width}x${shape.height}`);
    test = await decodeAll('testFile', testEntries, labels, shape, opts.budget);
  }
  return { train, test, labels, pixelMax: 255 };
}

async function readEntries(field: string, zipBytes: Uint8Array, budget: ByteBudget, maxEntries = MAX_ZIP_ENTRIES): Promise<Entry[]> {
  const listed = zipEntryCount(zipBytes);
  if (listed !== null && listed > maxEntries) throw new TooLargeError(`${field}: the archive lists ${listed} entries, more than ${maxEntries}`);
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(zipBytes); // no checkCRC32: it would inflate every file here, before any budget
  } catch (err) {
    throw new ValidationError(field, 'is not a readable zip archive', { cause: err });
  }
  const files = Object.values(zip.files).filter((f) => !f.dir && !ignored(f.name));
  if (files.length === 0) throw new ValidationError(field, 'holds no images');
  // Honest sizes from the zip's directory refuse an oversized archive before inflating anything.
  const declared = files.reduce((n, f) => n + ((f as unknown as { _data?: { uncompressedSize?: number } })._data?.uncompressedSize ?? 0), 0);
  if (declared > budget.remaining) throw new TooLargeError(`${field}: its files hold ${declared} bytes uncompressed, more than DATASET_MAX_BYTES (${budget.max})`);
  const entries: Entry[] = [];
  for (const f of files) {
    const parts = f.name.split('/').filter(Boolean);
    if (parts.length < 2) throw new ValidationError(field, `'${f.name}' is not inside a class folder (expected <class>/<image>.png)`);
    const bytes = await inflate(f, field, budget);
    entries.push({ name: f.name, className: parts[parts.length - 2], bytes, header: await readImageHeader(bytes, field, f.name) });
  }
  return entries;
}

/** macOS metadata and hidden files are not images of the dataset. */
const ignored = (name: string) => name.split('/').some((p) => p.startsWith('.') || p === '__MACOSX');

/** Inflates one file, counting its real size against the budget (a zip's declared sizes may lie). */
function inflate(f: JSZip.JSZipObject, field: string, budget: ByteBudget): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const stream = f.nodeStream('nodebuffer');
    stream.on('data', (chunk: Buffer) => {
      try {
        budget.take(chunk.length, `${field}: '${f.name}'`);
        chunks.push(chunk);
      } catch (err) {
        stream.pause();
        stream.removeAllListeners('data');
        reject(err);
      }
    });
    stream.on('error', (err: Error) => reject(new ValidationError(field, `'${f.name}' cannot be extracted`, { cause: err })));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

function sizeOf(field: string, entries: Entry[]): { height: number; width: number } {
  const first = entries[0];
  for (const e of entries) {
    if (e.header.width !== first.header.width || e.header.height !== first.header.height)
      throw new ValidationError(field, `'${e.name}' is ${e.header.width}x${e.header.height} but '${first.name}' is ${first.header.width}x${first.header.height}: give inputShape to resize every image to one size`);
  }
  return { height: first.header.height, width: first.header.width };
}

function shapeOf(field: string, entries: Entry[], opts: ImagesZipOptions): PixelShape {
  const { height, width } = opts.size ?? sizeOf(field, entries);
  const channels = opts.channels ?? (entries.every((e) => e.header.gray) ? 1 : 3);
  checkShape(field, height, width, channels);
  return { height, width, channels };
}

function shuffled(entries: Entry[]): Entry[] {
  const out = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rand = mulberry32(SHUFFLE_SEED);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function decodeAll(field: string, entries: Entry[], classes: string[], shape: PixelShape, budget: ByteBudget): Promise<DatasetImages> {
  const per = shape.height * shape.width * shape.channels;
  budget.take(entries.length * (per + 1), field);
  const images = new Uint8Array(entries.length * per);
  const labels = new Uint8Array(entries.length);
  const index = new Map(classes.map((c, i) => [c, i]));
  for (let start = 0; start < entries.length; start += PARALLEL) {
    await Promise.all(entries.slice(start, start + PARALLEL).map(async (e, k) => {
      const i = start + k;
      const label = index.get(e.className);
      if (label === undefined) throw new ValidationError(field, `'${e.name}' is in folder '${e.className}', which is not a class of the training images (${classes.join(', ')})`);
      labels[i] = label;
      await decodeImage(e.bytes, shape, field, e.name, images, i * per);
    }));
    for (let k = start; k < Math.min(start + PARALLEL, entries.length); k++) entries[k].bytes = new Uint8Array(); // free as we go
  }
  return { images, labels, count: entries.length, ...shape };
}
