import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  FASHION_MNIST_DIR, FASHION_MNIST_LABELS, loadFashionMnist, loadIdxImageSet, parseIdx, splitValidation,
} from '../../src/training/dataset.js';

function idx(dims: number[], data: number[]): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(0x08, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

describe('Fashion-MNIST from the Debian package', () => {
  it('loads the real training split, first `limit` items only', () => {
    const set = loadFashionMnist(FASHION_MNIST_DIR, 'train', 100);
    expect(set).toMatchObject({ count: 100, height: 28, width: 28, channels: 1 });
    expect(set.images.length).toBe(100 * 28 * 28);
    expect(set.labels.length).toBe(100);
    // The first training labels of Fashion-MNIST: Ankle boot, T-shirt/top, T-shirt/top, Dress, ...
    expect(Array.from(set.labels.slice(0, 5))).toEqual([9, 0, 0, 3, 0]);
    expect(FASHION_MNIST_LABELS[set.labels[0]]).toBe('Ankle boot');
    expect(Math.max(...set.images.slice(0, 784))).toBeGreaterThan(200);
  });

  it('loads the whole test split with all ten classes', () => {
    const set = loadFashionMnist(FASHION_MNIST_DIR, 'test');
    expect(set.count).toBe(10_000);
    expect(new Set(set.labels).size).toBe(10);
    expect(FASHION_MNIST_LABELS).toHaveLength(10);
  });
});

describe('IDX parsing', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'idx-'));
  const write = (name: string, bytes: Uint8Array) => {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };

  it('reads plain and gzipped files, rank 3 and rank 4 images', () => {
    const pixels = Array.from({ length: 3 * 2 * 2 }, (_, i) => i);
    const images = write('i.gz', gzipSync(idx([3, 2, 2], pixels)));
    const labels = write('l', idx([3], [1, 2, 3]));
    const set = loadIdxImageSet(images, labels, 2);
    expect(set).toMatchObject({ count: 2, height: 2, width: 2, channels: 1 });
    expect(Array.from(set.images)).toEqual(pixels.slice(0, 8));
    expect(Array.from(set.labels)).toEqual([1, 2]);
    const rgb = loadIdxImageSet(write('rgb', idx([1, 2, 2, 3], Array(12).fill(7))), write('l1', idx([1], [4])));
    expect(rgb).toMatchObject({ count: 1, channels: 3 });
    expect(loadIdxImageSet(images, labels, 10).count).toBe(3);
  });

  it('rejects bad files with a clear error', () => {
    expect(() => parseIdx(Buffer.from([1, 2, 3, 4, 5]), 'x')).toThrow(/bad magic number/);
    expect(() => parseIdx(Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]), 'x')).toThrow(/data type 0xd/);
    expect(() => parseIdx(Buffer.from([0, 0, 8, 2, 0, 0]), 'x')).toThrow(/truncated/);
    expect(() => parseIdx(idx([2, 3], [1, 2, 3]), 'x')).toThrow(/expected 6 data bytes/);
    const images = write('ok', idx([2, 1, 1], [1, 2]));
    expect(() => loadIdxImageSet(images, write('bad-labels', idx([3], [1, 2, 3])))).toThrow(/2 images but .* 3 labels/);
    expect(() => loadIdxImageSet(write('flat', idx([2], [1, 2])), images)).toThrow(/rank 3 or 4/);
  });
});

describe('splitValidation (Keras validation_split)', () => {
  it('takes the last fraction as validation', () => {
    expect(splitValidation(20_000, 0.1)).toEqual({ trainCount: 18_000, valCount: 2_000 });
    expect(splitValidation(60_000, 0.2)).toEqual({ trainCount: 48_000, valCount: 12_000 });
    expect(splitValidation(10, 0.25)).toEqual({ trainCount: 7, valCount: 3 }); // int(7.5) = 7
    expect(splitValidation(3, 0.3)).toEqual({ trainCount: 2, valCount: 1 }); // int(2.1) = 2
    expect(splitValidation(5, 0)).toEqual({ trainCount: 5, valCount: 0 });
    expect(() => splitValidation(5, 1)).toThrow();
  });
});
