// An image file as a prediction instance, converted as the service converts uploaded images
// (src/datasets/image.ts): transparent pixels over black, stretched to the model's HxW ('fill'),
// then grayscale for a 1-channel model or sRGB for 3; scaled to the dataset's pixel range and sent
// as the nested arrays POST /models/:id/predict takes (HxW for one channel, HxWxC otherwise).
import sharp, { type OutputInfo } from 'sharp';
import { CliError } from './api-client.js';

export interface ImageOptions {
  /** Negate the pixels (a dark object on a light photo, for a light-on-dark dataset). */
  invert?: boolean;
}

export async function imageToInstance(file: string, inputShape: number[], pixelMax: number, opts: ImageOptions = {}): Promise<number[][] | number[][][]> {
  const [h, w, c = 1] = inputShape;
  if (inputShape.length < 2 || inputShape.length > 3 || (c !== 1 && c !== 3))
    throw new CliError(`the model takes input of shape [${inputShape.join(', ')}]; an image gives 1 (grayscale) or 3 (RGB) channels`);
  let img = sharp(file, { failOn: 'warning', limitInputPixels: 4096 * 4096 }).flatten({ background: '#000000' }).resize(w, h, { fit: 'fill' });
  img = c === 1 ? img.grayscale() : img.toColourspace('srgb');
  if (opts.invert) img = img.negate({ alpha: false });
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await img.raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new CliError(`cannot read image ${file}: ${(err as Error).message.split('\n')[0].trim()}`);
  }
  if (raw.info.channels !== c || raw.info.width !== w || raw.info.height !== h)
    throw new CliError(`${file}: decoded to ${raw.info.width}x${raw.info.height}x${raw.info.channels}, expected ${w}x${h}x${c}`);
  // Multiplied first: 255 * pixelMax / 255 is exactly pixelMax, the most the API accepts.
  const px = (i: number) => (raw.data[i] * pixelMax) / 255;
  return Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => {
    const base = (y * w + x) * c;
    return c === 1 ? px(base) : Array.from({ length: c }, (_, k) => px(base + k));
  })) as number[][] | number[][][];
}
