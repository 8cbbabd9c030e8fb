// What every format's parser produces, and the class rules they share.
import type { DatasetImages } from '../domain/dataset-source.js';
import { MAX_CLASSES } from '../domain/datasets.js';
import { ValidationError } from '../domain/errors.js';
import { MIN_TRAIN_ITEMS } from './limits.js';

export interface ParsedDataset {
  train: DatasetImages;
  test: DatasetImages | null;
  /** Class names, index = label; numClasses is its length. */
  labels: string[];
  /** The raw pixel range a prediction's instances use (stored pixels are scaled to 0-255). */
  pixelMax: number;
}

/**
 * Class names for numeric labels: `given` (the form's labels field) fixes the class count;
 * otherwise it is the largest label + 1 and the names are the numbers. Every label must be a class.
 */
export function numericClasses(sets: { field: string; labels: Uint8Array }[], given: string[] | undefined): string[] {
  let max = -1;
  for (const { labels } of sets) for (const v of labels) if (v > max) max = v;
  const count = given?.length ?? max + 1;
  checkClassCount(given ? 'labels' : sets[0].field, count);
  for (const { field, labels } of sets) {
    const bad = labels.findIndex((v) => v >= count);
    if (bad >= 0) throw new ValidationError(field, `label ${labels[bad]} of item ${bad} is outside 0..${count - 1} (${count} classes${given ? ', as the labels field names' : ''})`);
  }
  return given ?? Array.from({ length: count }, (_, i) => String(i));
}

export function checkClassCount(field: string, count: number): void {
  if (count < 2) throw new ValidationError(field, `a classifier needs at least 2 classes, found ${count}`);
  if (count > MAX_CLASSES) throw new ValidationError(field, `at most ${MAX_CLASSES} classes, found ${count}`);
}

export function checkTrainCount(field: string, count: number): void {
  if (count < MIN_TRAIN_ITEMS) throw new ValidationError(field, `holds ${count} training item(s); a search needs at least ${MIN_TRAIN_ITEMS}`);
}

/** Same height, width and channels as the training images. */
export function checkSameShape(field: string, test: DatasetImages, train: DatasetImages): void {
  const a = `${test.height}x${test.width}x${test.channels}`;
  const b = `${train.height}x${train.width}x${train.channels}`;
  if (a !== b) throw new ValidationError(field, `test images are ${a} but training images are ${b}`);
}

/** Class names are stored as text: PostgreSQL holds no NUL nor unpaired surrogates. */
export function checkClassNames(field: string, names: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (name.length === 0 || name.length > 200) throw new ValidationError(field, `class names must be 1 to 200 characters, got ${JSON.stringify(name.slice(0, 40))}`);
    if (!/^[^\u0000\uD800-\uDFFF]*$/u.test(name)) throw new ValidationError(field, `class name ${JSON.stringify(name.slice(0, 40))} holds NUL or an unpaired surrogate`);
    if (seen.has(name)) throw new ValidationError(field, `class name ${JSON.stringify(name.slice(0, 40))} appears twice`);
    seen.add(name);
  }
}
