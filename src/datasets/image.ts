// PNG/JPEG decoding with sharp (libvips), one conversion for training data and predictions alike:
// transparent pixels over black, resized to the target size by stretching ('fill': no crop, no
// padding), then grayscale (1 channel, luminance) or sRGB (3 channels), one byte per value.
import sharp, { type Metadata } from 'sharp';
import { ValidationError } from '../domain/errors.js';

export interface ImageHeader {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  /** Stored as grayscale (with or without alpha). */
  gray: boolean;
}

export interface PixelShape {
  height: number;
  width: number;
  channels: number;
}

/** A decompression bomb (a tiny PNG of 50,000 x 50,000 pixels) is refused before it is decoded. */
const MAX_INPUT_PIXELS = 4096 * 4096;
const OPTIONS = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'warning' } as const;

/** Reads only the header; `field` and `name` say where the image came from in errors. */
export async function readImageHeader(bytes: Uint8Array, field: string, name?: string): Promise<ImageHeader> {
  const where = name ? `'${name}' ` : '';
  let meta: Metadata;
  try {
    meta = await sharp(bytes, OPTIONS).metadata();
  } catch (err) {
    throw new ValidationError(field, `${where}is not a PNG or JPEG image`, { cause: err });
  }
  if (meta.format !== 'png' && meta.format !== 'jpeg')
    throw new ValidationError(field, `${where}is a ${meta.format} image; only PNG and JPEG are accepted`);
  if (!meta.width || !meta.height) throw new ValidationError(field, `${where}has no size`);
  if (meta.width * meta.height > MAX_INPUT_PIXELS)
    throw new ValidationError(field, `${where}is ${meta.width}x${meta.height}, more than ${MAX_INPUT_PIXELS} pixels`);
  const gray = meta.space === 'b-w' || meta.space === 'grey16' || (meta.channels ?? 3) <= 2;
  return { format: meta.format, width: meta.width, height: meta.height, gray };
}

/** Decodes into `out` (height * width * channels bytes) at `offset`, converted as the header says. */
export async function decodeImage(bytes: Uint8Array, shape: PixelShape, field: string, name?: string, out?: Uint8Array, offset = 0): Promise<Uint8Array> {
  const { height, width, channels } = shape;
  let data: Buffer;
  try {
    let img = sharp(bytes, OPTIONS).flatten({ background: '#000000' });
    img = img.resize(width, height, { fit: 'fill' });
    img = channels === 1 ? img.grayscale() : img.toColourspace('srgb');
    const result = await img.raw().toBuffer({ resolveWithObject: true });
    data = result.data;
    if (result.info.channels !== channels || result.info.width !== width || result.info.height !== height)
      throw new Error(`decoded as ${result.info.height}x${result.info.width}x${result.info.channels}`);
  } catch (err) {
    throw new ValidationError(field, `${name ? `'${name}' ` : ''}cannot be decoded as a PNG or JPEG image`, { cause: err });
  }
  const target = out ?? new Uint8Array(data.length);
  target.set(data, offset);
  return target;
}
