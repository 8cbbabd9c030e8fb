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
  instances.forEach((inst, i) => {
    const at = `instances[${i}]`;
    if (!Array.isArray(inst) || inst.length !== h) throw new ValidationError(at, `must be a ${expected} array (got ${describe(inst)} rows)`);
    inst.forEach((row: unknown, y) => {
      if (!Array.isArray(row) || row.length !== w) throw new ValidationError(`${at}[${y}]`, `must have ${w} columns (instance shape ${expected})`);
      row.forEach((px: unknown, x) => {
        const base = i * size + (y * w + x) * c;
        if (Array.isArray(px)) {
          if (px.length !== c) throw new ValidationError(`${at}[${y}][${x}]`, `must have ${c} channel(s)`);
          px.forEach((v, k) => { out[base + k] = pixel(v, pixelMax, `${at}[${y}][${x}][${k}]`); });
        } else if (c === 1) {
          out[base] = pixel(px, pixelMax, `${at}[${y}][${x}]`);
        } else {
          throw new ValidationError(`${at}[${y}][${x}]`, `must be an array of ${c} channels`);
        }
      });
    });
  });
  return out;
}

function pixel(v: unknown, max: number, at: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) throw new ValidationError(at, `must be a number from 0 to ${max}, got ${JSON.stringify(v)}`);
  return v / max;
}

const describe = (v: unknown): string => (Array.isArray(v) ? String(v.length) : typeof v === 'object' ? 'no' : `a ${typeof v}, not`);
