// Images made into a model's input as a PNG of its size: stretched, transparent pixels over black,
// grayscale or RGB as the model takes it; and the service decodes that PNG to the same pixels.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/api-client.js';
import { imageToModelPng } from '../../src/cli/image-input.js';
import { decodeImage } from '../../src/datasets/image.js';

/** The PNG's pixels as the service decodes them, as rows ([h][w] for one channel, [h][w][c] otherwise). */
async function imageToInstance(file: string, inputShape: number[], opts: { invert?: boolean } = {}): Promise<number[][] | number[][][]> {
  const [h, w, c = 1] = inputShape;
  const sent = await imageToModelPng(file, inputShape, opts);
  const meta = await sharp(sent).metadata();
  expect([meta.height, meta.width, meta.channels]).toEqual([h, w, c]); // exactly the model's size: nothing left to resize
  const data = await decodeImage(sent, { height: h, width: w, channels: c }, 'image');
  return Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => {
    const at = (y * w + x) * c;
    return c === 1 ? data[at] : [...data.subarray(at, at + c)];
  })) as number[][] | number[][][];
}

const dir = mkdtempSync(path.join(tmpdir(), 'hypertune-img-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A PNG from raw pixels, `channels` per pixel, made by `px(x, y)`. */
async function png(name: string, width: number, height: number, channels: 1 | 3 | 4, px: (x: number, y: number) => number[]) {
  const buf = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) buf.set(px(x, y), (y * width + x) * channels);
  const file = path.join(dir, name);
  await sharp(buf, { raw: { width, height, channels } }).png().toFile(file);
  return file;
}

describe('imageToModelPng', () => {
  it('stretches an image to the model size as a HxW grayscale instance', async () => {
    const file = await png('halves.png', 56, 84, 1, (x) => [x < 28 ? 200 : 0]);
    const inst = (await imageToInstance(file, [28, 28, 1])) as number[][];
    expect(inst).toHaveLength(28);
    expect(inst.every((row) => row.length === 28)).toBe(true);
    // Away from the edge (the resampling kernel blends a few pixels there), each half keeps its value.
    for (const row of inst) {
      expect(row.slice(0, 10)).toEqual(Array(10).fill(200));
      expect(row.slice(18)).toEqual(Array(10).fill(0));
    }
  });

  it('puts transparent pixels over black, and inverts on request', async () => {
    // White everywhere, opaque only in the top-left quarter.
    const file = await png('alpha.png', 28, 28, 4, (x, y) => [255, 255, 255, x < 14 && y < 14 ? 255 : 0]);
    const inst = (await imageToInstance(file, [28, 28, 1])) as number[][];
    expect([inst[0][0], inst[27][27]]).toEqual([255, 0]);
    const inverted = (await imageToInstance(file, [28, 28, 1], { invert: true })) as number[][];
    expect([inverted[0][0], inverted[27][27]]).toEqual([0, 255]);
  });

  it('makes a PNG the service decodes to exactly its pixels, gray or RGB', async () => {
    const photo = await png('photo.png', 50, 30, 3, (x, y) => [x * 5, y * 8, (x * y) % 256]);
    for (const shape of [[28, 28, 1], [12, 20, 3]]) {
      const sent = await imageToModelPng(photo, shape);
      const [height, width, channels] = shape;
      expect(sent.length).toBeLessThan(height * width * channels * 4); // JSON pixels take more than 4 bytes each
      const served = await decodeImage(sent, { height, width, channels }, 'image');
      const direct = await decodeImage(readFileSync(photo), { height, width, channels }, 'image');
      // The same pixels the service makes from the original file itself.
      expect(Buffer.from(served).equals(Buffer.from(direct))).toBe(true);
    }
  });

  it('gives HxWx3 pixels for an RGB model, and converts gray images to it', async () => {
    const red = await png('red.png', 8, 8, 3, () => [255, 0, 0]);
    expect((await imageToInstance(red, [4, 4, 3]) as number[][][])[2][3]).toEqual([255, 0, 0]);
    const gray = await png('gray.png', 8, 8, 1, () => [100]);
    expect((await imageToInstance(gray, [4, 4, 3]) as number[][][])[0][0]).toEqual([100, 100, 100]);
  });

  it('refuses what it cannot read or send', async () => {
    const text = path.join(dir, 'not-an-image.png');
    writeFileSync(text, 'hello');
    await expect(imageToModelPng(text, [28, 28, 1])).rejects.toThrow(CliError);
    await expect(imageToModelPng(text, [28, 28, 1])).rejects.toThrow(/^cannot read image .*not-an-image\.png: /);
    await expect(imageToModelPng(path.join(dir, 'missing.png'), [28, 28, 1])).rejects.toThrow(/cannot read image/);
    const red = await png('red2.png', 4, 4, 3, () => [255, 0, 0]);
    await expect(imageToModelPng(red, [28, 28, 2])).rejects.toThrow(/1 \(grayscale\) or 3 \(RGB\)/);
  });
});
