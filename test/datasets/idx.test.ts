// IDX uploads from real Fashion-MNIST images: good files (gzipped or not) and every way they can be bad.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { TooLargeError } from '../../src/datasets/limits.js';
import { parseUpload } from '../../src/datasets/upload.js';
import { fashionSample, idxFile, idxFiles } from '../fixtures/dataset-files.js';

const MiB = 1 << 20;
const upload = (files: Record<string, Uint8Array>, fields: { labels?: string } = {}, maxBytes = 64 * MiB) =>
  parseUpload({ name: 'x', format: 'idx', ...fields }, new Map(Object.entries(files)), maxBytes);

/** The ValidationError an upload is rejected with (the test fails if it is accepted or fails otherwise). */
async function rejection(p: Promise<unknown>): Promise<ValidationError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

describe('IDX uploads', () => {
  const set = fashionSample(100);

  it('reads gzipped and plain files alike, with a test pair, and names classes by number', async () => {
    const train = idxFiles(fashionSample(80), true);
    const test = idxFiles(fashionSample(100), false);
    const parsed = await upload({ trainImages: train.images, trainLabels: train.labels, testImages: test.images, testLabels: test.labels });
    expect(parsed.train).toMatchObject({ count: 80, height: 28, width: 28, channels: 1 });
    expect(Buffer.compare(parsed.train.images, fashionSample(80).images)).toBe(0);
    expect([...parsed.train.labels]).toEqual([...fashionSample(80).labels]);
    expect(parsed.test).toMatchObject({ count: 100 });
    expect(parsed.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(parsed.pixelMax).toBe(255);
  });

  it('takes class names from the labels field (JSON or comma-separated)', async () => {
    const { images, labels } = idxFiles(set);
    const names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
    expect((await upload({ trainImages: images, trainLabels: labels }, { labels: JSON.stringify(names) })).labels).toEqual(names);
    expect((await upload({ trainImages: images, trainLabels: labels }, { labels: names.join(', ') })).labels).toEqual(names);
  });

  it('reads rank-4 RGB images', async () => {
    const rgb = new Uint8Array(12 * 4 * 4 * 3).map((_, i) => i % 256);
    const labels = new Uint8Array(12).map((_, i) => i % 2);
    const parsed = await upload({ trainImages: idxFile([12, 4, 4, 3], rgb), trainLabels: idxFile([12], labels) });
    expect(parsed.train).toMatchObject({ count: 12, height: 4, width: 4, channels: 3 });
  });

  it('rejects bad files naming the field and the reason', async () => {
    const { images, labels } = idxFiles(set);
    const cases: [Record<string, Uint8Array>, string, RegExp][] = [
      [{ trainImages: Buffer.from('not an idx file at all'), trainLabels: labels }, 'trainImages', /bad magic number/],
      [{ trainImages: images.subarray(0, 6), trainLabels: labels }, 'trainImages', /truncated IDX header/],
      [{ trainImages: images.subarray(0, images.length - 1), trainLabels: labels }, 'trainImages', /expected 78400 data bytes/],
      [{ trainImages: Buffer.concat([images, Buffer.alloc(3)]), trainLabels: labels }, 'trainImages', /found 78403/],
      [{ trainImages: Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 0]), trainLabels: labels }, 'trainImages', /unsupported IDX data type 0xd/],
      [{ trainImages: idxFile([100, 784], set.images), trainLabels: labels }, 'trainImages', /rank 3/],
      [{ trainImages: images, trainLabels: idxFile([50, 2], set.labels) }, 'trainLabels', /rank 1/],
      [{ trainImages: images, trainLabels: idxFile([99], set.labels.subarray(0, 99)) }, 'trainLabels', /99 labels for 100 images/],
      [{ trainImages: idxFile([0, 28, 28], new Uint8Array()), trainLabels: idxFile([0], new Uint8Array()) }, 'trainImages', /holds no images/],
      [{ trainImages: idxFile([100, 28, 28, 2], new Uint8Array(100 * 28 * 28 * 2)), trainLabels: labels }, 'trainImages', /1 \(grayscale\) or 3 \(RGB\) channels/],
      [{ trainImages: idxFile([100, 2000, 1], new Uint8Array(100 * 2000)), trainLabels: labels }, 'trainImages', /1 to 1024 pixels/],
      [{ trainImages: idxFile([5, 28, 28], set.images.subarray(0, 5 * 784)), trainLabels: idxFile([5], set.labels.subarray(0, 5)) }, 'trainImages', /at least 10/],
      [{ trainImages: images, trainLabels: idxFile([100], new Uint8Array(100)) }, 'trainLabels', /at least 2 classes, found 1/],
      [{ trainImages: images, trainLabels: idxFile([100], new Uint8Array(100).fill(3)) }, 'trainLabels', /every training item is of class '3'/],
      [{ trainImages: gzipSync(images).subarray(0, 500), trainLabels: labels }, 'trainImages', /not a valid gzip file/],
      [{ trainImages: images, trainLabels: labels, testImages: images }, 'testLabels', /required with the other test file/],
      [{ trainImages: images, trainLabels: labels, testImages: idxFile([100, 14, 56], set.images), testLabels: labels }, 'testImages', /test images are 14x56x1 but training images are 28x28x1/],
      [{ trainImages: images }, 'trainLabels', /is required for format 'idx'/],
      [{ trainImages: images, trainLabels: labels, file: labels }, 'file', /not a file of format 'idx'/],
      [{ trainImages: images, trainLabels: new Uint8Array() }, 'trainLabels', /is empty/],
    ];
    for (const [files, field, reason] of cases) {
      const err = await rejection(upload(files));
      expect(err.field, `${field} ${reason}`).toBe(field);
      expect(err.reason).toMatch(reason);
    }
  });

  it('checks labels against the classes the labels field names', async () => {
    const { images, labels } = idxFiles(set);
    const err = await rejection(upload({ trainImages: images, trainLabels: labels }, { labels: 'a,b,c' }));
    expect(err.field).toBe('trainLabels');
    expect(err.reason).toMatch(/outside 0\.\.2 \(3 classes, as the labels field names\)/);
    expect((await rejection(upload({ trainImages: images, trainLabels: labels }, { labels: 'solo' }))).reason).toMatch(/at least 2 classes/);
    expect((await rejection(upload({ trainImages: images, trainLabels: labels }, { labels: '["a", 1]' }))).field).toBe('labels');
    expect((await rejection(upload({ trainImages: images, trainLabels: labels }, { labels: 'a,a,b' }))).reason).toMatch(/appears twice/);
    expect((await rejection(upload({ trainImages: images, trainLabels: labels }, { labels: '["a", "b\\u0000"]' }))).reason).toMatch(/NUL/);
  });

  it('stops a gzip bomb at DATASET_MAX_BYTES with a 413', async () => {
    const bomb = gzipSync(idxFile([2000, 100, 100], new Uint8Array(2000 * 100 * 100))); // 20 MB of zeros, ~20 kB gzipped
    expect(bomb.length).toBeLessThan(100_000);
    const err = await upload({ trainImages: bomb, trainLabels: idxFile([2000], new Uint8Array(2000)) }, {}, MiB).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLargeError);
    expect((err as TooLargeError).statusCode).toBe(413);
    expect((err as Error).message).toMatch(/^trainImages: /);
  });
});
