// The models store on every backend: artifacts byte for byte, one model per trial, lineage.
import { expect, it } from 'vitest';
import { describeBackends, summary, trial } from './backends.js';

describeBackends('model store', ({ seeded }) => {
  it('round-trips a model artifact byte for byte; saving again replaces it under the same id', async () => {
    const store = await seeded();
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256);
    // A view into a larger buffer, as a Float32Array's bytes often are.
    const view = new Uint8Array(new ArrayBuffer(bytes.length + 16), 8, bytes.length);
    view.set(bytes);
    const artifact = { modelTopology: { class_name: 'Sequential', config: { layers: [{ units: 10 }] } }, weightSpecs: [{ name: 'w', shape: [2, 2], dtype: 'float32' }], weightData: view };

    const saved = await store.saveModel({ id: 'm1', searchId: 's', trialId: 't0', summary, artifact });
    expect(saved).toMatchObject({ id: 'm1', searchId: 's', trialId: 't0', summary });
    expect(await store.getModel('m1')).toEqual(saved);
    const loaded = await store.getModelArtifact('m1');
    expect(loaded!.weightData).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(loaded!.weightData).equals(Buffer.from(bytes))).toBe(true);
    expect({ ...loaded, weightData: null }).toEqual({ ...artifact, weightData: null });

    const again = await store.saveModel({ id: 'm2', searchId: 's', trialId: 't0', summary, artifact: { ...artifact, weightData: new Uint8Array([0, 255]) } });
    expect(again.id).toBe('m1');
    expect(saved.parentModelId).toBeNull();
    await store.commitSchedule('s', 1, {}, [trial(1)]);
    const child = await store.saveModel({ id: 'm3', searchId: 's', trialId: 't1', parentModelId: 'm1', summary, artifact });
    expect((await store.getModel(child.id))!.parentModelId).toBe('m1');
    expect([...(await store.getModelArtifact('m1'))!.weightData]).toEqual([0, 255]);
    expect(await store.getModel('m2')).toBeNull();
    expect(await store.getModelArtifact('m2')).toBeNull();
  });

  // Saved through the driver (model-rows.ts), read through Prisma: the same row either way.
  it('saves what Prisma reads back to the millisecond, refuses an unknown trial, and replaces in place', async () => {
    const store = await seeded();
    const artifact = { modelTopology: { a: [1, { b: 'ü' }] }, weightSpecs: [], weightData: new Uint8Array([7]) };
    const before = Date.now();
    const saved = await store.saveModel({ id: 'm1', searchId: 's', trialId: 't0', summary, artifact });
    expect(saved.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(await store.getModel('m1')).toEqual(saved); // createdAt included, as Prisma reads the column
    await new Promise((r) => setTimeout(r, 5));
    const again = await store.saveModel({ id: 'm2', searchId: 's', trialId: 't0', summary: { ...summary, totalParams: 1 }, artifact });
    expect(again.createdAt.getTime()).toBeGreaterThan(saved.createdAt.getTime());
    expect(await store.getModel('m1')).toEqual(again);
    await expect(store.saveModel({ id: 'm3', searchId: 's', trialId: 'no-such-trial', summary, artifact })).rejects.toThrow(/foreign key/i);
    expect(await store.getModel('m3')).toBeNull();
  });
});
