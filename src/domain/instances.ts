// Turns prediction instances (nested arrays of raw pixels) into one normalized batch, checking
// every value, so a bad request is a 400 naming the exact element and never reaches tfjs.
import { ValidationError } from './errors.js';

export function instancesToBatch(instances: unknown, inputShape: number[], pixelMax: number, maxInstances: number): Float32Array {
  if (!Array.isArray(instances) || instances.length === 0) throw new ValidationError('instances', 'must be a non-empty array');
  if (instances.length > maxInstances) throw new ValidationError('instances', `at most ${maxInstances} instances per request, got ${instances.length}`);
  const [h, w, c] = inputShape;
  const size = h * w * c;
  const out = new Float32Array(instances.length * size);
  const expected = c === 1 ? `${h}x${w} or ${h}x${w}x1` : `${h}x${w}x${c}`;
  // Plain loops, and a value's position spelled out only once it is wrong: this runs on the API's
  // event loop for every pixel of every prediction.
  for (let i = 0; i < instances.length; i++) {
    const inst: unknown = instances[i];
    if (!Array.isArray(inst) || inst.length !== h) throw new ValidationError(`instances[${i}]`, `must be a ${expected} array (got ${describe(inst)} rows)`);
    for (let y = 0; y < h; y++) {
      const row: unknown = inst[y];
      if (!Array.isArray(row) || row.length !== w) throw new ValidationError(`instances[${i}][${y}]`, `must have ${w} columns (instance shape ${expected})`);
      for (let x = 0; x < w; x++) {
        const px: unknown = row[x];
        const base = i * size + (y * w + x) * c;
        if (Array.isArray(px)) {
          if (px.length !== c) throw new ValidationError(`instances[${i}][${y}][${x}]`, `must have ${c} channel(s)`);
          for (let k = 0; k < c; k++) out[base + k] = pixel(px[k], pixelMax, i, y, x, k);
        } else if (c === 1) {
          out[base] = pixel(px, pixelMax, i, y, x);
        } else {
          throw new ValidationError(`instances[${i}][${y}][${x}]`, `must be an array of ${c} channels`);
        }
      }
    }
  }
  return out;
}

function pixel(v: unknown, max: number, i: number, y: number, x: number, k?: number): number {
  if (typeof v === 'number' && v >= 0 && v <= max) return v / max; // NaN fails both comparisons
  const at = `instances[${i}][${y}][${x}]${k === undefined ? '' : `[${k}]`}`;
  throw new ValidationError(at, `must be a number from 0 to ${max}, got ${JSON.stringify(v)}`);
}

const describe = (v: unknown): string => (Array.isArray(v) ? String(v.length) : typeof v === 'object' ? 'no' : `a ${typeof v}, not`);
