// Good uploads of every format, truncated, bit-flipped, spliced with garbage or replaced by it:
// each must parse or be refused with a ValidationError (400) or TooLargeError (413), never
// anything else (which the API would answer 500).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DatasetFormat } from '../../src/domain/datasets.js';
import { ValidationError } from '../../src/domain/errors.js';
import { TooLargeError } from '../../src/datasets/limits.js';
import { FILE_FIELDS, parseUpload } from '../../src/datasets/upload.js';
import { csvFile, fashionSample, idxFiles, imagesZip } from '../fixtures/dataset-files.js';

const MAX_BYTES = 4 << 20;

/** A mutation of one file: cut it, flip bytes, overwrite a span, insert bytes, or random bytes alone. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('flip' as const), flips: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 2048 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(file: Uint8Array, m: Mutation): Uint8Array {
  const pos = (f: number) => Math.min(file.length - 1, Math.floor(f * file.length));
  switch (m.kind) {
    case 'truncate': return file.subarray(0, pos(m.at));
    case 'flip': {
      const out = Uint8Array.from(file);
      for (const [f, x] of m.flips) out[pos(f)] ^= x;
      return out;
    }
    case 'overwrite': {
      const out = Uint8Array.from(file);
      out.set(m.bytes.subarray(0, out.length - pos(m.at)), pos(m.at));
      return out;
    }
    case 'insert': return Buffer.concat([file.subarray(0, pos(m.at)), m.bytes, file.subarray(pos(m.at))]);
    case 'garbage': return m.bytes;
  }
}

async function expectParsedOrRefused(format: DatasetFormat, files: Map<string, Uint8Array>): Promise<void> {
  const outcome = await parseUpload({ name: 'fuzz', format }, files, MAX_BYTES).then(() => null, (e: unknown) => e);
  if (outcome !== null && !(outcome instanceof ValidationError) && !(outcome instanceof TooLargeError))
    expect.fail(`${format}: unexpected ${(outcome as Error)?.constructor?.name}: ${(outcome as Error)?.stack ?? String(outcome)}`);
}

describe('uploads of damaged files', () => {
  const set = fashionSample(24);

  it.each<[DatasetFormat, () => Promise<Map<string, Uint8Array>>, number]>([
    ['idx', async () => {
      const gz = idxFiles(set, true);
      const plain = idxFiles(set, false);
      return new Map([['trainImages', gz.images], ['trainLabels', plain.labels], ['testImages', plain.images], ['testLabels', gz.labels]]);
    }, 150],
    ['images-zip', async () => new Map([['file', await imagesZip(set, 24)]]), 80],
    ['csv', async () => new Map([['file', csvFile(set, 24, { header: true })], ['testFile', csvFile(set, 12)]]), 150],
  ])('%s: every damaged file parses or is refused with a 4xx', async (format, make, numRuns) => {
    const good = await make();
    await expectParsedOrRefused(format, good); // the undamaged upload is fine
    const fields = [...good.keys()];
    await fc.assert(fc.asyncProperty(fc.constantFrom(...fields), mutation, async (field, m) => {
      const files = new Map(good);
      files.set(field, mutate(good.get(field)!, m));
      await expectParsedOrRefused(format, files);
    }), { numRuns, seed: 6 });
  }, 120_000);

  it('refuses an upload missing files or carrying unknown ones, for every format', async () => {
    for (const format of Object.keys(FILE_FIELDS) as DatasetFormat[]) {
      await expect(parseUpload({ name: 'x', format }, new Map(), MAX_BYTES)).rejects.toBeInstanceOf(ValidationError);
      await expect(parseUpload({ name: 'x', format }, new Map([['other', new Uint8Array(1)]]), MAX_BYTES)).rejects.toThrow(/other: is not a file of format/);
    }
  });
});
