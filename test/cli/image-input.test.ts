// Images as prediction instances: stretched to the model's size, transparent pixels over black,
// grayscale or RGB as the model takes it, scaled to the dataset's pixel range.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/api-client.js';
import { imageToInstance } from '../../src/cli/image-input.js';

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

describe('imageToInstance', () => {
  it('stretches an image to the model size as a HxW grayscale instance', async () => {
    const file = await png('halves.png', 56, 84, 1, (x) => [x < 28 ? 200 : 0]);
    const inst = (await imageToInstance(file, [28, 28, 1], 255)) as number[][];
    expect(inst).toHaveLength(28);
    expect(inst.every((row) => row.length === 28)).toBe(true);
    // Away from the edge (the resampling kernel blends a few pixels there), each half keeps its value.
    for (const row of inst) {
      expect(row.slice(0, 10)).toEqual(Array(10).fill(200));
      expect(row.slice(18)).toEqual(Array(10).fill(0));
    }
  });

  it('puts transparent pixels over black, and scales to the dataset pixel range exactly', async () => {
    // White everywhere, opaque only in the top-left quarter.
    const file = await png('alpha.png', 28, 28, 4, (x, y) => [255, 255, 255, x < 14 && y < 14 ? 255 : 0]);
    const inst = (await imageToInstance(file, [28, 28, 1], 1)) as number[][];
    expect(inst[0][0]).toBe(1);
    expect(inst[27][27]).toBe(0);
    const inverted = (await imageToInstance(file, [28, 28, 1], 255, { invert: true })) as number[][];
    expect([inverted[0][0], inverted[27][27]]).toEqual([0, 255]);
  });

  it('gives HxWx3 pixels for an RGB model, and converts gray images to it', async () => {
    const red = await png('red.png', 8, 8, 3, () => [255, 0, 0]);
    expect((await imageToInstance(red, [4, 4, 3], 255) as number[][][])[2][3]).toEqual([255, 0, 0]);
    const gray = await png('gray.png', 8, 8, 1, () => [100]);
    expect((await imageToInstance(gray, [4, 4, 3], 255) as number[][][])[0][0]).toEqual([100, 100, 100]);
  });

  it('refuses what it cannot read or send', async () => {
    const text = path.join(dir, 'not-an-image.png');
    writeFileSync(text, 'hello');
    await expect(imageToInstance(text, [28, 28, 1], 255)).rejects.toThrow(CliError);
    await expect(imageToInstance(text, [28, 28, 1], 255)).rejects.toThrow(/^cannot read image .*not-an-image\.png: /);
    await expect(imageToInstance(path.join(dir, 'missing.png'), [28, 28, 1], 255)).rejects.toThrow(/cannot read image/);
    const red = await png('red2.png', 4, 4, 3, () => [255, 0, 0]);
    await expect(imageToInstance(red, [28, 28, 2], 255)).rejects.toThrow(/1 \(grayscale\) or 3 \(RGB\)/);
  });
});
