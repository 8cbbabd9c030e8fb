import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR, loadFashionMnist, loadIdxImages } from '../../src/datasets/fashion-mnist.js';
import { parseIdx } from '../../src/datasets/idx-format.js';
import { datasetInfo } from '../../src/domain/datasets.js';

const FASHION_MNIST_LABELS = datasetInfo('fashion-mnist')!.labels;

function idx(dims: number[], data: number[] | Uint8Array): Uint8Array {
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

  it('inflates only the part of the gzipped file that the first `limit` items need, with the same bytes as a whole read', () => {
    const whole = loadFashionMnist(FASHION_MNIST_DIR, 'train');
    for (const limit of [0, 10_000, 59_999]) {
      const part = loadFashionMnist(FASHION_MNIST_DIR, 'train', limit);
      expect(part.count).toBe(limit);
      expect(Buffer.compare(part.images, whole.images.subarray(0, limit * 784))).toBe(0);
      expect(Buffer.compare(part.labels, whole.labels.subarray(0, limit))).toBe(0);
    }
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
    const set = loadIdxImages(images, labels, 2);
    expect(set).toMatchObject({ count: 2, height: 2, width: 2, channels: 1 });
    expect(Array.from(set.images)).toEqual(pixels.slice(0, 8));
    expect(Array.from(set.labels)).toEqual([1, 2]);
    const rgb = loadIdxImages(write('rgb', idx([1, 2, 2, 3], Array(12).fill(7))), write('l1', idx([1], [4])));
    expect(rgb).toMatchObject({ count: 1, channels: 3 });
    expect(loadIdxImages(images, labels, 10).count).toBe(3);
  });

  it('reads a large gzipped file in part, and says when it holds fewer items than its header claims', () => {
    // Over the 1 MiB probe once compressed: random pixels do not compress.
    const pixels = randomBytes(3000 * 28 * 28);
    const labels = write('big-l', idx([3000], Array(3000).fill(1)));
    const set = loadIdxImages(write('big.gz', gzipSync(idx([3000, 28, 28], pixels))), labels, 2000);
    expect(Buffer.compare(set.images, pixels.subarray(0, 2000 * 784))).toBe(0);
    const short = write('short.gz', gzipSync(idx([4000, 28, 28], pixels)));
    expect(() => loadIdxImages(short, labels, 3500)).toThrow(/expected 3136000 data bytes/);
  });

  it('rejects bad files with a clear error', () => {
    expect(() => parseIdx(Buffer.from([1, 2, 3, 4, 5]), 'x')).toThrow(/bad magic number/);
    expect(() => parseIdx(Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]), 'x')).toThrow(/data type 0xd/);
    expect(() => parseIdx(Buffer.from([0, 0, 8, 2, 0, 0]), 'x')).toThrow(/truncated/);
    expect(() => parseIdx(idx([2, 3], [1, 2, 3]), 'x')).toThrow(/expected 6 data bytes/);
    const images = write('ok', idx([2, 1, 1], [1, 2]));
    expect(() => loadIdxImages(images, write('bad-labels', idx([3], [1, 2, 3])))).toThrow(/2 images but .* 3 labels/);
    expect(() => loadIdxImages(write('flat', idx([2], [1, 2])), images)).toThrow(/rank 3 or 4/);
  });
});
