// A CSV of labels and pixels, one image per row: the first column is the label, unless a header row
// names a 'label' column; the other columns are the pixels, row-major (and channel by channel
// within a pixel for RGB, HWC). Values are numbers from 0 to pixelMax (default 255), stored
// scaled to 0-255. Labels are class indices, or class names (then sorted, or ordered as the labels
// field gives them). Parsed as a stream in small chunks that yield to the event loop, so a large
// upload does not hold it; a row may hold no more values than the largest image, refused as soon as
// the stream shows it, and a pixel value no more than MAX_NUMBER_CHARS characters.
import { Readable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { CsvError, parse } from 'csv-parse';
import type { DatasetImages } from '../domain/dataset-source.js';
import { MAX_CLASSES } from '../domain/datasets.js';
import { ValidationError } from '../domain/errors.js';
import { ByteBudget, checkShape, MAX_SIDE, maxPixelValues } from './limits.js';
import { checkClassCount, checkTrainCount, numericClasses, type ParsedDataset } from './parsed.js';

export interface CsvOptions {
  /** [height, width, channels]; without it the pixel count must be a square (grayscale). */
  shape?: [number, number, number];
  pixelMax: number;
  /** Class names: index = label, or the names the label column uses. */
  labels?: string[];
  budget: ByteBudget;
}

interface CsvTable {
  field: string;
  pixels: Uint8Array;
  labels: string[];
  /** Pixel values per row. */
  size: number;
}

/** csv-parse takes 2-3 ms of the loop per 16 KiB; the parse yields between chunks. */
const CHUNK = 16 << 10;
/** Cells checked between two yields to the event loop while a row (up to ~3 million cells) is read. */
const CELLS_PER_STEP = 1 << 13;
/** A record (one image) may not exceed this many characters: garbage without newlines stops here. */
const MAX_RECORD_CHARS = 64 << 20;
/** A pixel value longer than this is refused before it is read (no real pixel value comes close). */
export const MAX_NUMBER_CHARS = 64;

export async function parseCsvDataset(files: { file: Uint8Array; testFile?: Uint8Array }, opts: CsvOptions): Promise<ParsedDataset> {
  const train = await readTable('file', files.file, opts);
  const [height, width, channels] = opts.shape ?? squareShape(train.size);
  if (height * width * channels !== train.size)
    throw new ValidationError('inputShape', `[${height}, ${width}, ${channels}] holds ${height * width * channels} values, but the rows hold ${train.size} pixel values`);
  checkShape('inputShape', height, width, channels);
  checkTrainCount('file', train.labels.length);
  const test = files.testFile ? await readTable('testFile', files.testFile, opts) : null;
  if (test && test.size !== train.size) throw new ValidationError('testFile', `rows hold ${test.size} pixel values, the training rows ${train.size}`);
  const tables = test ? [train, test] : [train];
  const { classes, indices } = resolveLabels(tables, opts.labels);
  const asImages = (t: CsvTable, i: number): DatasetImages => ({ images: t.pixels, labels: indices[i], count: t.labels.length, height, width, channels });
  return { train: asImages(train, 0), test: test && asImages(test, 1), labels: classes, pixelMax: opts.pixelMax };
}

function squareShape(size: number): [number, number, number] {
  const side = Math.round(Math.sqrt(size));
  if (side * side !== size) throw new ValidationError('inputShape', `is required: ${size} pixel values per row are not a square grayscale image`);
  return [side, side, 1];
}

async function readTable(field: string, bytes: Uint8Array, opts: CsvOptions): Promise<CsvTable> {
  // csv-parse itself refuses a row whose column count differs from the first row's.
  const parser = parse({ bom: true, trim: true, skip_empty_lines: true, info: true, max_record_size: MAX_RECORD_CHARS });
  const channels = opts.shape?.[2] ?? 1;
  // One chunk read ahead at most: the parser drains what the source buffered without a turn of the loop.
  const source = Readable.from(chunks(bytes, parser as unknown as ParserProgress, field, channels), { highWaterMark: 1 });
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  let labelColumn = 0;
  let size = -1;
  let pixels: Uint8Array = new Uint8Array(0);
  const labels: string[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const at = `line ${info.lines}`;
      if (size < 0) {
        size = record.length - 1;
        if (size < 1) throw new ValidationError(field, `${at}: a row needs a label and at least one pixel value`);
        if (await isHeader(record)) {
          labelColumn = record.findIndex((c) => c.toLowerCase() === 'label');
          if (labelColumn < 0) throw new ValidationError(field, `${at}: the header names no 'label' column`);
          continue;
        }
      }
      const row = labels.length;
      if ((row + 1) * size > pixels.length) pixels = grow(pixels, (row + 1) * size, field, opts.budget);
      let k = row * size;
      for (let c = 0; c < record.length; c++) {
        if (c % CELLS_PER_STEP === CELLS_PER_STEP - 1) await yieldToLoop();
        if (c === labelColumn) continue;
        const cell = record[c];
        if (cell.length > MAX_NUMBER_CHARS)
          throw new ValidationError(field, `${at}, column ${c + 1}: pixel value ${JSON.stringify(cell.slice(0, 40))} is longer than ${MAX_NUMBER_CHARS} characters`);
        const v = isDecimalNumber(cell) ? Number(cell) : Number.NaN;
        if (!(v >= 0 && v <= opts.pixelMax)) throw new ValidationError(field, `${at}, column ${c + 1}: pixel value ${JSON.stringify(cell.slice(0, 40))} is not a number from 0 to ${opts.pixelMax}`);
        pixels[k++] = Math.round((v * 255) / opts.pixelMax);
      }
      const label = record[labelColumn];
      if (label === '') throw new ValidationError(field, `${at}: the label is empty`);
      labels.push(label);
    }
  } catch (err) {
    if (err instanceof CsvError) throw new ValidationError(field, `is not valid CSV (${err.message})`);
    throw err;
  } finally {
    parser.destroy();
  }
  if (labels.length === 0) throw new ValidationError(field, 'holds no rows of data');
  return { field, pixels: pixels.subarray(0, labels.length * size), labels, size };
}

/** What csv-parse's Parser shows of the row it is reading (`state` is public, kept for compatibility, but not in its types). */
interface ParserProgress {
  state: { record: unknown[] };
  info: { lines: number };
}

/**
 * The file in chunks, each after a turn of the event loop. Before each, the row csv-parse is still
 * reading is measured (its cells so far: parser.state.record), so a row longer than any image is
 * refused within a chunk of where it passes the limit rather than after the whole of it is parsed.
 */
async function* chunks(bytes: Uint8Array, parser: ParserProgress, field: string, channels: number): AsyncGenerator<Buffer> {
  const maxValues = maxPixelValues(channels);
  for (let o = 0; o < bytes.length; o += CHUNK) {
    await yieldToLoop();
    if (parser.state.record.length > maxValues + 1)
      throw new ValidationError(field, `line ${parser.info.lines}: a row holds more than ${maxValues} pixel values (images are at most ${MAX_SIDE}x${MAX_SIDE} pixels${channels > 1 ? `, ${channels} channels` : ''})`);
    yield Buffer.from(bytes.buffer, bytes.byteOffset + o, Math.min(CHUNK, bytes.length - o));
  }
}

/**
 * A header row names a 'label' column, or has mostly non-numbers past the first cell (a data row's
 * label may be a name; a data row with one bad pixel value is still data, and its error says so).
 */
async function isHeader(record: string[]): Promise<boolean> {
  if (record.some((c) => c.toLowerCase() === 'label')) return true;
  let others = 0;
  for (let i = 1; i < record.length; i++) {
    if (i % CELLS_PER_STEP === 0) await yieldToLoop();
    if (!isDecimalNumber(record[i])) others++;
  }
  return others > (record.length - 1) / 2;
}

const DIGIT_0 = 48;
const DIGIT_9 = 57;
const isDigit = (code: number) => code >= DIGIT_0 && code <= DIGIT_9;

/**
 * Whether `s` is a decimal number: an optional sign, digits with an optional point (or a point and
 * digits), an optional exponent; what /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/ accepts, in one pass
 * (that regex backtracks quadratically on a long run of digits that ends badly).
 */
export function isDecimalNumber(s: string): boolean {
  let i = 0;
  const n = s.length;
  const at = (k: number) => s.charCodeAt(k); // NaN past the end: no digit, no sign
  if (at(i) === 43 || at(i) === 45) i++; // + -
  const intStart = i;
  while (isDigit(at(i))) i++;
  const intDigits = i - intStart;
  let fracDigits = 0;
  if (at(i) === 46) { // .
    i++;
    const fracStart = i;
    while (isDigit(at(i))) i++;
    fracDigits = i - fracStart;
  }
  if (intDigits === 0 && fracDigits === 0) return false;
  if (at(i) === 101 || at(i) === 69) { // e E
    i++;
    if (at(i) === 43 || at(i) === 45) i++;
    const expStart = i;
    while (isDigit(at(i))) i++;
    if (i === expStart) return false;
  }
  return i === n;
}

/** Doubles the pixel buffer up to what the budget allows; every byte of it counts against the budget. */
function grow(pixels: Uint8Array, needed: number, field: string, budget: ByteBudget): Uint8Array {
  const room = pixels.length + budget.remaining;
  const next = Math.min(Math.max(pixels.length * 2, needed, 1 << 16), Math.max(room, needed));
  budget.take(next - pixels.length, field); // throws when even `needed` does not fit
  const out = new Uint8Array(next);
  out.set(pixels);
  return out;
}

/** Class indices per table: numeric labels as they are, names sorted (or as the labels field orders them). */
function resolveLabels(tables: CsvTable[], given: string[] | undefined): { classes: string[]; indices: Uint8Array[] } {
  const numeric = tables.every((t) => t.labels.every((l) => /^\d+$/.test(l)));
  if (numeric) {
    const indices = tables.map((t) => Uint8Array.from(t.labels, (l, i) => {
      const v = Number(l);
      if (v >= MAX_CLASSES) throw new ValidationError(t.field, `label ${l} of item ${i} is outside 0..${MAX_CLASSES - 1}`);
      return v;
    }));
    return { classes: numericClasses(tables.map((t, i) => ({ field: t.field, labels: indices[i] })), given), indices };
  }
  const classes = given ?? [...new Set(tables.flatMap((t) => t.labels))].sort();
  checkClassCount(given ? 'labels' : tables[0].field, classes.length);
  const index = new Map(classes.map((c, i) => [c, i]));
  const indices = tables.map((t) => Uint8Array.from(t.labels, (l, i) => {
    const v = index.get(l);
    if (v === undefined) throw new ValidationError(t.field, `label ${JSON.stringify(l.slice(0, 80))} of item ${i} is not one of the labels field's classes`);
    return v;
  }));
  return { classes, indices };
}
