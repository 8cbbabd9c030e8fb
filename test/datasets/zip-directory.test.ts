// The entry count read off a zip's end records, which refuses a zip of millions of entries before
// JSZip parses its directory.
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { parseImagesZipDataset } from '../../src/datasets/images-zip.js';
import { ByteBudget, TooLargeError } from '../../src/datasets/limits.js';
import { parseUpload } from '../../src/datasets/upload.js';
import { zipEntryCount } from '../../src/datasets/zip-directory.js';
import { fashionSample, imagesZip } from '../fixtures/dataset-files.js';

/** An archive of nothing but a zip64 end record, its locator and a classic end record saying 0xFFFF. */
function zip64Claiming(entries: bigint): Uint8Array {
  const bytes = new Uint8Array(56 + 20 + 22);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x06064b50, true);
  view.setBigUint64(24, entries, true); // entries on this disk
  view.setBigUint64(32, entries, true); // entries in all
  view.setUint32(56, 0x07064b50, true);
  view.setBigUint64(64, 0n, true); // where the zip64 record starts
  view.setUint32(76, 0x06054b50, true);
  view.setUint16(76 + 8, 0xffff, true);
  view.setUint16(76 + 10, 0xffff, true);
  return bytes;
}

describe('zipEntryCount', () => {
  it('reads the count of a real archive, also behind a comment', async () => {
    const zip = new JSZip();
    for (let i = 0; i < 1234; i++) zip.file(`c${i % 3}/${i}.png`, '');
    expect(zipEntryCount(await zip.generateAsync({ type: 'uint8array' }))).toBe(1234 + 3); // the folders are entries too
    expect(zipEntryCount(await zip.generateAsync({ type: 'uint8array', comment: 'x'.repeat(5000) }))).toBe(1237);
  });

  it('reads a zip64 count past 16 bits, and null where there is no end record', () => {
    expect(zipEntryCount(zip64Claiming(3_000_000n))).toBe(3_000_000);
    expect(zipEntryCount(new Uint8Array(100).fill(7))).toBeNull();
    expect(zipEntryCount(new Uint8Array(0))).toBeNull();
  });
});

describe('images-zip entry cap', () => {
  it('answers 413 for an archive listing more entries than allowed, before reading it', async () => {
    const err = await parseUpload({ name: 'x', format: 'images-zip' }, new Map([['file', zip64Claiming(2_000_000n)]]), 1 << 26).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLargeError);
    expect((err as Error).message).toBe('file: the archive lists 2000000 entries, more than 250000');

    const file = await imagesZip(fashionSample(20), 20);
    const capped = await parseImagesZipDataset({ file }, { budget: new ByteBudget(1 << 26), maxEntries: 5 }).catch((e: unknown) => e);
    expect(capped).toBeInstanceOf(TooLargeError);
    expect((await parseImagesZipDataset({ file }, { budget: new ByteBudget(1 << 26) })).train.count).toBe(20);
  });
});
