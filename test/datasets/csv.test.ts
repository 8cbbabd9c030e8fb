// CSV uploads (label + pixels per row) from real Fashion-MNIST images.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { TooLargeError } from '../../src/datasets/limits.js';
import { parseUpload, type UploadFields } from '../../src/datasets/upload.js';
import { csvFile, fashionSample } from '../fixtures/dataset-files.js';

const MiB = 1 << 20;
const upload = (files: Record<string, Uint8Array>, fields: Partial<UploadFields> = {}, maxBytes = 64 * MiB) =>
  parseUpload({ name: 'x', format: 'csv', ...fields }, new Map(Object.entries(files)), maxBytes);

async function rejection(p: Promise<unknown>, what?: string): Promise<ValidationError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err, what).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

describe('CSV uploads', () => {
  const set = fashionSample(50);

  it('reads label-first rows without a header: a square image, classes by number', async () => {
    const parsed = await upload({ file: csvFile(set, 50), testFile: csvFile(fashionSample(20), 20) });
    expect(parsed.train).toMatchObject({ count: 50, height: 28, width: 28, channels: 1 });
    expect(Buffer.compare(parsed.train.images, set.images)).toBe(0);
    expect([...parsed.train.labels]).toEqual([...set.labels]);
    expect(parsed.test?.count).toBe(20);
    expect(parsed.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('finds the label column a header names, and sorts class names used as labels', async () => {
    const names = ['tee', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'boot'];
    const parsed = await upload({ file: csvFile(set, 50, { header: true, labelLast: true, names }) });
    const sorted = [...new Set(Array.from(set.labels, (l) => names[l]))].sort();
    expect(parsed.labels).toEqual(sorted);
    expect(Array.from(parsed.train.labels, (l) => parsed.labels[l])).toEqual(Array.from(set.labels, (l) => names[l]));
    expect(Buffer.compare(parsed.train.images, set.images)).toBe(0);
    // The labels field orders the classes instead.
    const ordered = await upload({ file: csvFile(set, 50, { header: true, names }) }, { labels: JSON.stringify(names) });
    expect(ordered.labels).toEqual(names);
    expect([...ordered.train.labels]).toEqual([...set.labels]);
  });

  it('scales a pixelMax range to bytes and reads RGB rows with inputShape', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `${i % 3},${Array.from({ length: 2 * 3 * 3 }, (_, k) => ((i + k) % 5) / 4).join(',')}`);
    const parsed = await upload({ file: Buffer.from(rows.join('\r\n')) }, { inputShape: '[2, 3, 3]', pixelMax: '1' });
    expect(parsed.train).toMatchObject({ count: 12, height: 2, width: 3, channels: 3 });
    expect(parsed.pixelMax).toBe(1);
    expect([...parsed.train.images.subarray(0, 5)]).toEqual([0, 64, 128, 191, 255]);
    expect(parsed.labels).toEqual(['0', '1', '2']);
  });

  it('rejects bad rows naming the line, column and reason', async () => {
    const good = csvFile(set, 20).toString();
    const lines = good.trim().split('\n');
    const replace = (i: number, row: string) => Buffer.from([...lines.slice(0, i), row, ...lines.slice(i + 1)].join('\n'));
    const cases: [Record<string, Uint8Array>, Partial<UploadFields>, string, RegExp][] = [
      [{ file: replace(3, lines[3].replace(/,0,/, ',256,')) }, {}, 'file', /line 4, column \d+: pixel value "256" is not a number from 0 to 255/],
      [{ file: replace(3, lines[3].replace(/,0,/, ',-1,')) }, {}, 'file', /line 4, column \d+: pixel value "-1"/],
      [{ file: replace(5, lines[5].replace(/,0,/, ',x,')) }, {}, 'file', /line 6, column \d+: pixel value "x"/],
      [{ file: replace(5, lines[5].replace(/,0,/, ',,')) }, {}, 'file', /line 6, column \d+: pixel value ""/],
      [{ file: replace(7, `${lines[7]},9`) }, {}, 'file', /not valid CSV \(Invalid Record Length: expect 785, got 786 on line 8\)/],
      [{ file: replace(2, lines[2].replace(/^\d+,/, ',')) }, {}, 'file', /line 3: the label is empty/],
      [{ file: Buffer.from(`class,${lines.join('\n').slice(2)}`.replace(/^class,.*$/m, `class,${Array.from({ length: 784 }, (_, k) => `p${k}`).join(',')}`)) }, {}, 'file', /the header names no 'label' column/],
      // Without a header, a bad value in the first row is named as such, not as a header without 'label'.
      [{ file: Buffer.from([lines[1].replace(/,0,/, ',NaN,'), ...lines.slice(2)].join('\n')) }, {}, 'file', /line 1, column \d+: pixel value "NaN" is not a number/],
      [{ file: Buffer.from('label,pixel0\n') }, {}, 'file', /holds no rows of data/],
      [{ file: Buffer.from('5\n6\n') }, {}, 'file', /a row needs a label and at least one pixel value/],
      [{ file: Buffer.from(`${lines[0]}\n"${lines[1]}`) }, {}, 'file', /is not valid CSV \(Quote Not Closed/],
      [{ file: Buffer.from(lines.map((l) => l.split(',').slice(0, 100).join(',')).join('\n')) }, {}, 'inputShape', /is required: 99 pixel values per row are not a square/],
      [{ file: Buffer.from(good) }, { inputShape: '28x27' }, 'inputShape', /\[28, 27, 1\] holds 756 values, but the rows hold 784/],
      [{ file: Buffer.from(good) }, { pixelMax: '0' }, 'pixelMax', /above 0/],
      [{ file: Buffer.from(good) }, { channels: '1' }, 'channels', /does not apply to format 'csv'/],
      [{ file: Buffer.from(good) }, { labels: 'a,b,c' }, 'file', /outside 0\.\.2/],
      [{ file: Buffer.from(good), testFile: Buffer.from(lines.map((l) => l.split(',').slice(0, 101).join(',')).join('\n')) }, {}, 'testFile', /rows hold 100 pixel values, the training rows 784/],
      [{ file: Buffer.from(lines.slice(0, 5).join('\n')) }, {}, 'file', /5 training item\(s\)/],
      [{ file: Buffer.from(lines.map((l) => l.replace(/^\d+/, '7')).join('\n')) }, {}, 'file', /every training item is of class '7'/],
      [{ file: Buffer.from(lines.map((l, i) => l.replace(/^\d+/, i ? '300' : '1')).join('\n')) }, {}, 'file', /label 300 of item 1 is outside 0\.\.255/],
    ];
    for (const [files, fields, field, reason] of cases) {
      const err = await rejection(upload(files, fields), String(reason));
      expect(err.field, String(reason)).toBe(field);
      expect(err.reason).toMatch(reason);
    }
  });

  it('stops at DATASET_MAX_BYTES with a 413', async () => {
    await expect(upload({ file: csvFile(set, 50) }, {}, 20_000)).rejects.toBeInstanceOf(TooLargeError);
  });
});
