// An image file made into what the model takes, converted as the service converts uploaded images
// (src/datasets/image.ts): transparent pixels over black, stretched to the model's HxW ('fill'),
// then grayscale for a 1-channel model or sRGB for 3; optionally negated. Sent as a PNG of exactly
// the model's size (POST /models/:id/predict with content-type image/png), which the service
// decodes without changing a pixel: smaller than JSON pixels, and the same conversion either way.
import sharp from 'sharp';
import { CliError } from './api-client.js';

export interface ImageOptions {
  /** Negate the pixels (a dark object on a light photo, for a light-on-dark dataset). */
  invert?: boolean;
}

export async function imageToModelPng(file: string, inputShape: number[], opts: ImageOptions = {}): Promise<Buffer> {
  const [h, w, c = 1] = inputShape;
  if (inputShape.length < 2 || inputShape.length > 3 || (c !== 1 && c !== 3))
    throw new CliError(`the model takes input of shape [${inputShape.join(', ')}]; an image gives 1 (grayscale) or 3 (RGB) channels`);
  let img = sharp(file, { failOn: 'warning', limitInputPixels: 4096 * 4096 }).flatten({ background: '#000000' }).resize(w, h, { fit: 'fill' });
  img = c === 1 ? img.grayscale() : img.toColourspace('srgb');
  if (opts.invert) img = img.negate({ alpha: false });
  try {
    // Through raw pixels, so the PNG holds exactly the channels the model takes.
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== c || info.width !== w || info.height !== h)
      throw new CliError(`${file}: decoded to ${info.width}x${info.height}x${info.channels}, expected ${w}x${h}x${c}`);
    return await sharp(data, { raw: { width: w, height: h, channels: c } }).toColourspace(c === 1 ? 'b-w' : 'srgb').png().toBuffer();
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read image ${file}: ${(err as Error).message.split('\n')[0].trim()}`);
  }
}
