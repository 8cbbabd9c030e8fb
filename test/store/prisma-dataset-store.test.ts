// The dataset store on SQLite and PostgreSQL: metadata without blobs, blobs byte for byte per
// split, the unfinished searches that use a dataset, deletion of both rows.
import { expect, it } from 'vitest';
import type { SearchSpec } from '../../src/domain/search-spec.js';
import { describeBackends, FIRST } from './backends.js';

describeBackends('dataset store', ({ open }) => {
  const record = (id: string, tenant: string | null = null) => ({
    id, tenant, name: `set ${id}`, format: 'csv' as const, inputShape: [2, 3, 1] as [number, number, number], numClasses: 3,
    labels: ['a', 'b', 'ü "c"'], trainSize: 4, testSize: 2, pixelMax: 1.5,
  });
  const train = { images: Uint8Array.from({ length: 24 }, (_, i) => (i * 37) % 256), labels: Uint8Array.from([0, 1, 2, 0]) };
  const test = { images: new Uint8Array(12).fill(255), labels: Uint8Array.from([2, 1]) };

  it('stores metadata and each split, lists without blobs, deletes both rows', async () => {
    const store = await open();
    const datasets = store.datasets();
    // A view into a larger buffer is stored as exactly its bytes.
    const view = new Uint8Array(100).fill(9).subarray(10, 34);
    view.set(train.images);
    const created = await datasets.createDataset(record('d1', 'alpha'), { train: { ...train, images: view }, test });
    expect(created).toMatchObject({ ...record('d1', 'alpha'), createdAt: expect.any(Date) });
    await datasets.createDataset(record('d2'), { train, test: { images: new Uint8Array(), labels: new Uint8Array() } });
    expect(await datasets.getDataset('d1')).toEqual(created);
    expect((await datasets.listDatasets({}, FIRST)).items.map((d) => d.id)).toEqual(['d1', 'd2']);
    expect((await datasets.listDatasets({ tenant: 'alpha' }, FIRST)).items.map((d) => d.id)).toEqual(['d1']);
    expect((await datasets.listDatasets({ tenant: 'beta' }, FIRST)).items).toEqual([]);
    const t = await datasets.getDatasetData('d1', 'train');
    expect([...t!.images]).toEqual([...train.images]);
    expect([...t!.labels]).toEqual([0, 1, 2, 0]);
    expect([...(await datasets.getDatasetData('d1', 'test'))!.images]).toEqual([...test.images]);
    expect((await datasets.getDatasetData('d2', 'test'))!.images.length).toBe(0);
    expect(await datasets.getDatasetData('nope', 'train')).toBeNull();

    expect(await datasets.deleteDataset('d1')).toBe(true);
    expect(await datasets.deleteDataset('d1')).toBe(false);
    expect(await datasets.getDataset('d1')).toBeNull();
    expect(await datasets.getDatasetData('d1', 'train')).toBeNull();
    expect((await datasets.listDatasets({}, FIRST)).items.map((d) => d.id)).toEqual(['d2']);
  });

  it('finds the searches that still train on a dataset: unfinished ones, and finished ones with a retrain waiting or running', async () => {
    const store = await open();
    const datasets = store.datasets();
    const spec = (id: string) => ({ name: 's', dataset: { id } }) as unknown as SearchSpec;
    await store.createSearch({ id: 's1', name: 's', spec: spec('d1') }); // queued
    await store.createSearch({ id: 's2', name: 's', spec: spec('d1') });
    await store.commitSchedule('s2', 0, { status: 'running' }, []);
    await store.createSearch({ id: 's3', name: 's', spec: spec('d1') });
    await store.commitSchedule('s3', 0, { status: 'completed' }, []);
    await store.createSearch({ id: 's4', name: 's', spec: spec('d2') });
    // Finished searches: s5 with a retrain still waiting, s6 with every trial done.
    for (const [id, status] of [['s5', 'waiting'], ['s6', 'completed']] as const) {
      await store.createSearch({ id, name: 's', spec: spec('d1') });
      await store.commitSchedule(id, 0, { status: 'completed' }, [{ id: `${id}-t1`, number: 1, hyperparameters: {} }]);
      await store.updateTrialIf(`${id}-t1`, ['waiting'], { status });
    }
    expect((await datasets.searchesUsing('d1')).sort()).toEqual(['s1', 's2', 's5']);
    expect(await datasets.searchesUsing('d2')).toEqual(['s4']);
    expect(await datasets.searchesUsing('d3')).toEqual([]);
  });
});
