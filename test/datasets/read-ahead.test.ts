import { expect, it } from 'vitest';
import { ReadAheadDatasets } from '../../src/datasets/read-ahead.js';
import type { DatasetImages, DatasetSource } from '../../src/domain/dataset-source.js';

/** Counts its loads; each load returns a fresh object, so a copy read ahead can be told apart. */
function source() {
  const loads: string[] = [];
  const src: DatasetSource = {
    info: async () => undefined,
    load: async (id, limit) => {
      loads.push(`${id}:${limit}`);
      return { images: new Uint8Array(limit ?? 1), labels: new Uint8Array(limit ?? 1), count: limit ?? 1, height: 1, width: 1, channels: 1 } satisfies DatasetImages;
    },
  };
  return { src, loads };
}

it('answers the dataset read ahead from memory once, for the same id and limit only', async () => {
  const { src, loads } = source();
  const datasets = new ReadAheadDatasets(src);
  await datasets.readAhead('fashion-mnist', 10);
  expect(loads).toEqual(['fashion-mnist:10']);
  expect((await datasets.load('fashion-mnist', 10)).count).toBe(10);
  expect(loads).toHaveLength(1);
  // Given away: a second load reads again.
  await datasets.load('fashion-mnist', 10);
  expect(loads).toHaveLength(2);
});

it('reads anything else from its source', async () => {
  const { src, loads } = source();
  const datasets = new ReadAheadDatasets(src);
  await datasets.readAhead('fashion-mnist', 10);
  expect((await datasets.load('fashion-mnist', 20)).count).toBe(20);
  expect((await datasets.load('fashion-mnist')).count).toBe(1);
  expect(loads).toEqual(['fashion-mnist:10', 'fashion-mnist:20', 'fashion-mnist:undefined']);
});

it('prepares the set it reads ahead, and only that one, before a trial asks for it', async () => {
  const { src } = source();
  const prepared: DatasetImages[] = [];
  const datasets = new ReadAheadDatasets(src, (images) => prepared.push(images));
  await datasets.readAhead('fashion-mnist', 10);
  expect(prepared).toHaveLength(1);
  expect(await datasets.load('fashion-mnist', 10)).toBe(prepared[0]);
  await datasets.load('fashion-mnist', 20);
  expect(prepared).toHaveLength(1);
});
