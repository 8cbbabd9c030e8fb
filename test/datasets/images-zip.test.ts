// Zips of PNG/JPEG images in one folder per class, made from real Fashion-MNIST images with sharp.
import JSZip from 'jszip';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { TooLargeError } from '../../src/datasets/limits.js';
import { parseUpload, type UploadFields } from '../../src/datasets/upload.js';
import { CLASS_FOLDERS, fashionSample, imageFile, imageOf, imagesZip } from '../fixtures/dataset-files.js';

const MiB = 1 << 20;
const SORTED = [...CLASS_FOLDERS].sort();
const upload = (files: Record<string, Uint8Array>, fields: Partial<UploadFields> = {}, maxBytes = 64 * MiB) =>
  parseUpload({ name: 'x', format: 'images-zip', ...fields }, new Map(Object.entries(files)), maxBytes);

async function rejection(p: Promise<unknown>): Promise<ValidationError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

const key = (pixels: Uint8Array) => Buffer.from(pixels).toString('base64');

describe('images-zip uploads', () => {
  const set = fashionSample(60);

  it('decodes grayscale PNGs losslessly, classes from sorted folder names, items shuffled', async () => {
    const parsed = await upload({ file: await imagesZip(set, 60, { root: 'fashion/', extra: { '__MACOSX/fashion/._x.png': 'junk', 'fashion/bag/.DS_Store': 'junk' } }) });
    expect(parsed.labels).toEqual(SORTED);
    expect(parsed.train).toMatchObject({ count: 60, height: 28, width: 28, channels: 1 });
    expect(parsed.test).toBeNull();
    // Every original image comes back once, pixel for pixel, under its folder's class.
    const expected = new Map(Array.from({ length: 60 }, (_, i) => [key(imageOf(set, i)), SORTED.indexOf(CLASS_FOLDERS[set.labels[i]])]));
    const got = Array.from({ length: 60 }, (_, i) => [key(imageOf(parsed.train, i)), parsed.train.labels[i]] as const);
    for (const [k, label] of got) expect(expected.get(k)).toBe(label);
    expect(new Set(got.map(([k]) => k)).size).toBe(expected.size);
    // Shuffled: validation takes the last items, which must not all be one class.
    expect(new Set(parsed.train.labels.subarray(50)).size).toBeGreaterThan(1);
  });

  it('detects RGB images, forces grayscale with channels=1 and RGB with channels=3', async () => {
    const rgbZip = await imagesZip(set, 20, { channels: 3 });
    expect((await upload({ file: rgbZip })).train.channels).toBe(3);
    const gray = await upload({ file: rgbZip }, { channels: '1' });
    expect(gray.train.channels).toBe(1);
    const forced = await upload({ file: await imagesZip(set, 20) }, { inputShape: '[28, 28, 3]' });
    expect(forced.train.channels).toBe(3);
    const px = forced.train.images.subarray(0, 28 * 28 * 3);
    for (let i = 0; i < px.length; i += 3) expect([px[i + 1], px[i + 2]]).toEqual([px[i], px[i]]);
  });

  it('decodes JPEGs close to the originals', async () => {
    const parsed = await upload({ file: await imagesZip(set, 20, { format: 'jpeg' }) });
    expect(parsed.train).toMatchObject({ count: 20, height: 28, width: 28, channels: 1 });
    const mean = parsed.train.images.reduce((a, b) => a + b, 0) / parsed.train.images.length;
    const orig = set.images.subarray(0, 20 * 784).reduce((a, b) => a + b, 0) / (20 * 784);
    expect(Math.abs(mean - orig)).toBeLessThan(3);
  });

  it('refuses mixed sizes unless inputShape resizes them all', async () => {
    const big = await sharp(Buffer.from(imageOf(set, 0)), { raw: { width: 28, height: 28, channels: 1 } }).resize(56, 40).toColourspace('b-w').png().toBuffer();
    const zip = await imagesZip(set, 20, { extra: { 'bag/odd.png': big } });
    const err = await rejection(upload({ file: zip }));
    expect(err.field).toBe('file');
    expect(err.reason).toMatch(/'bag\/odd.png' is 56x40 but '.*' is 28x28: give inputShape/);
    const resized = await upload({ file: zip }, { inputShape: '14x14' });
    expect(resized.train).toMatchObject({ count: 21, height: 14, width: 14, channels: 1 });
  });

  it('takes a test zip whose folders are training classes', async () => {
    const parsed = await upload({ file: await imagesZip(set, 40), testFile: await imagesZip(fashionSample(60), 60) });
    expect(parsed.test).toMatchObject({ count: 60, height: 28, width: 28, channels: 1 });
    const only = new JSZip();
    only.file('bag/1.png', await imageFile(set, 0));
    only.file('cats/1.png', await imageFile(set, 1));
    const err = await rejection(upload({ file: await imagesZip(set, 40), testFile: await only.generateAsync({ type: 'nodebuffer' }) }));
    expect(err.field).toBe('testFile');
    expect(err.reason).toMatch(/'cats\/1.png' is in folder 'cats', which is not a class/);
  });

  it('names the file inside the zip that cannot be decoded', async () => {
    const good = await imageFile(set, 0);
    const cases: [Record<string, Uint8Array | string>, RegExp][] = [
      [{ 'bag/broken.png': 'this is no image' }, /'bag\/broken.png' is not a PNG or JPEG image/],
      [{ 'bag/cut.png': good.subarray(0, good.length - 30) }, /'bag\/cut.png' cannot be decoded/],
      [{ 'bag/half.png': good.subarray(0, 40) }, /'bag\/half.png' is not a PNG or JPEG image/],
      [{ 'bag/anim.gif': await sharp({ create: { width: 28, height: 28, channels: 3, background: '#000' } }).gif().toBuffer() }, /'bag\/anim.gif' is a gif image; only PNG and JPEG/],
      [{ 'loose.png': good }, /'loose.png' is not inside a class folder/],
    ];
    for (const [extra, reason] of cases) {
      const err = await rejection(upload({ file: await imagesZip(set, 20, { extra }) }));
      expect(err.field).toBe('file');
      expect(err.reason).toMatch(reason);
    }
  });

  it('rejects archives that hold no usable dataset', async () => {
    const one = new JSZip();
    for (let i = 0; i < 12; i++) one.file(`bag/${i}.png`, await imageFile(set, i));
    const cases: [Uint8Array, RegExp][] = [
      [Buffer.from('PK\x03\x04 but not really a zip'), /not a readable zip archive/],
      [await new JSZip().generateAsync({ type: 'nodebuffer' }), /holds no images/],
      [await one.generateAsync({ type: 'nodebuffer' }), /at least 2 classes, found 1/],
      [await imagesZip(set, 6), /6 training item\(s\); a search needs at least 10/],
    ];
    for (const [file, reason] of cases) expect((await rejection(upload({ file }))).reason).toMatch(reason);
    expect((await rejection(upload({ file: await imagesZip(set, 20) }, { labels: 'a,b' }))).field).toBe('labels');
    expect((await rejection(upload({ file: await imagesZip(set, 20) }, { inputShape: '28' }))).field).toBe('inputShape');
    expect((await rejection(upload({ file: await imagesZip(set, 20) }, { channels: '2' }))).field).toBe('channels');
    expect((await rejection(upload({ file: await imagesZip(set, 20) }, { channels: '1', inputShape: '28,28,3' }))).reason).toMatch(/is 1 but inputShape says 3/);
  });

  it('stops a zip bomb at DATASET_MAX_BYTES with a 413, whatever sizes the zip declares', async () => {
    const zip = await imagesZip(set, 20, { extra: { 'bag/huge.png': new Uint8Array(8 * MiB) } });
    expect(zip.length).toBeLessThan(MiB);
    await expect(upload({ file: zip }, {}, 2 * MiB)).rejects.toBeInstanceOf(TooLargeError);
    // A zip whose directory understates the size: counted as it inflates.
    const lying = Buffer.from(zip);
    for (let at = lying.indexOf('PK\x01\x02'); at >= 0; at = lying.indexOf('PK\x01\x02', at + 4))
      if (lying.toString('latin1', at + 46, at + 46 + lying.readUInt16LE(at + 28)) === 'bag/huge.png') lying.writeUInt32LE(10, at + 24);
    await expect(upload({ file: lying }, {}, 2 * MiB)).rejects.toBeInstanceOf(TooLargeError);
    // Decoded pixels count too: 200 images of 1024x1024 are 200 MiB.
    const dims = await upload({ file: await imagesZip(set, 20) }, { inputShape: '1024,1024' }, 8 * MiB).catch((e: unknown) => e);
    expect(dims).toBeInstanceOf(TooLargeError);
  });
});
