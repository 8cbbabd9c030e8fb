// POST /datasets answers 202 'processing' and a child process decodes the files: through the real
// app on SQLite, a valid upload becomes ready, a bad one failed with the field and reason, one
// whose heartbeat stopped (the API died mid-decode) failed as stale; a dataset that is not ready
// takes no search (409) and no training; deleting one while it is processing removes it for good.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaStore } from '../../src/store/prisma-store.js';
import { STALE_MESSAGE } from '../../src/services/upload-sweep.js';
import { csvFile, fashionSample } from '../fixtures/dataset-files.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { uploadAndFail, waitForDataset } from '../helpers/dataset-upload.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const CSV = csvFile(fashionSample(20), 20);

describe('uploads decoded off the API', () => {
  let h: Harness;
  const datasets = () => (h.core.store as PrismaStore).datasets();
  const post = (file: Buffer, fields: Record<string, string> = {}) => {
    let req = h.request.post('/datasets');
    for (const [k, v] of Object.entries({ name: 'p', format: 'csv', ...fields })) req = req.field(k, v);
    return req.attach('file', file, 'file.csv');
  };
  beforeAll(async () => { h = await startHarness('sqlite'); });
  afterAll(async () => { await h?.close(); });

  it('answers 202 processing with the uploaded bytes, then GET says ready with the decoded ones', async () => {
    const res = await post(CSV).expect(202);
    expect(res.headers.location).toBe(`/datasets/${res.body.id}`);
    expect(res.body).toMatchObject({ status: 'processing', bytes: CSV.length, trainSize: 0, inputShape: [0, 0, 0], builtIn: false });
    expect(res.body).not.toHaveProperty('error');
    // The child takes a second or more to start: the dataset is seen processing first.
    expect((await h.request.get(`/datasets/${res.body.id}`).expect(200)).body.status).toBe('processing');
    const ready = await waitForDataset(h, res.body.id);
    expect(ready).toMatchObject({ status: 'ready', inputShape: [28, 28, 1], trainSize: 20, bytes: 20 * 785 });
    expect((await h.core.datasets.load(res.body.id)).count).toBe(20);
    expect(readdirSync(h.config.datasetUploadDir)).toEqual([]);
  }, 60_000);

  it('stores a bad file as failed with the field and the reason, shown by GET and the list', async () => {
    const failed = await uploadAndFail(h, post(Buffer.from('label,a\n0,1\n1,x\n')));
    expect(failed.error).toEqual({ field: 'file', message: expect.stringMatching(/^file: /) });
    expect(failed).toMatchObject({ bytes: 0 });
    const listed = (await h.request.get('/datasets').expect(200)).body.datasets.find((d: { id: string }) => d.id === failed.id);
    expect(listed).toEqual(failed);
    expect(readdirSync(h.config.datasetUploadDir)).toEqual([]);
  }, 60_000);

  it('fails a processing dataset whose heartbeat is 5 minutes old, and removes its files; a fresh one stays processing', async () => {
    const stale = await datasets().createProcessingDataset({ id: 'stale-upload', tenant: null, name: 's', format: 'csv', bytes: 10, heartbeatAt: new Date(Date.now() - 5 * 60_000 - 1000) });
    const fresh = await datasets().createProcessingDataset({ id: 'fresh-upload', tenant: null, name: 'f', format: 'csv', bytes: 10, heartbeatAt: new Date(Date.now() - 4 * 60_000) });
    const dir = join(h.config.datasetUploadDir, stale.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'file'), 'left behind');
    const seen = (await h.request.get(`/datasets/${stale.id}`).expect(200)).body;
    expect(seen).toMatchObject({ status: 'failed', bytes: 0, error: { field: null, message: STALE_MESSAGE } });
    expect(existsSync(dir)).toBe(false);
    expect((await datasets().getDataset(stale.id))?.status).toBe('failed'); // stored, not only reported
    expect((await h.request.get(`/datasets/${fresh.id}`).expect(200)).body.status).toBe('processing');
    await h.request.delete(`/datasets/${fresh.id}`).expect(204);
  });

  it('answers 409 naming the dataset and its status to a search on one not ready; training it is a TrainingError', async () => {
    const processing = await datasets().createProcessingDataset({ id: 'busy-upload', tenant: null, name: 'b', format: 'csv', bytes: 10 });
    const res = await h.request.post('/searches').send({ ...tinySearch(), dataset: { id: processing.id } }).expect(409);
    expect(res.body.error).toMatchObject({ code: 'CONFLICT', details: { field: 'dataset.id', status: 'processing' } });
    expect(res.body.error.message).toMatch(/dataset 'busy-upload' is processing, not ready/);
    await expect(h.core.datasets.load(processing.id)).rejects.toThrow(/busy-upload.*processing/);
    await datasets().failDataset(processing.id, { field: 'file', message: 'file: broken' });
    const failed = await h.request.post('/searches').send({ ...tinySearch(), dataset: { id: processing.id } }).expect(409);
    expect(failed.body.error.details).toEqual({ field: 'dataset.id', status: 'failed' });
  });

  it('deletes a dataset while it is processing: the decoding stores nothing and its files are removed', async () => {
    const res = await post(CSV).expect(202);
    await h.request.delete(`/datasets/${res.body.id}`).expect(204);
    await h.core.uploads.idle();
    await h.request.get(`/datasets/${res.body.id}`).expect(404);
    expect(await datasets().getDatasetData(res.body.id, 'train')).toBeNull();
    expect(readdirSync(h.config.datasetUploadDir)).toEqual([]);
  }, 60_000);

  // Last: it stops this harness's decoding for good.
  it('fails the upload being decoded and those waiting when the API shuts down, and removes their files', async () => {
    // A 20-image CSV decodes in milliseconds in a warm child: stopped, it cannot finish before close().
    if (h.core.uploads.decoderPid === undefined) await waitForDataset(h, (await post(CSV).expect(202)).body.id);
    process.kill(h.core.uploads.decoderPid!, 'SIGSTOP');
    const running = (await post(CSV).expect(202)).body;
    const waiting = (await post(CSV).expect(202)).body;
    await h.core.uploads.close();
    expect((await h.request.get(`/datasets/${running.id}`).expect(200)).body).toMatchObject({
      status: 'failed', error: { field: null, message: 'processing stopped: the decoding process was killed (SIGKILL)' },
    });
    expect((await h.request.get(`/datasets/${waiting.id}`).expect(200)).body).toMatchObject({
      status: 'failed', error: { field: null, message: 'processing stopped: the API shut down before decoding it' },
    });
    expect(readdirSync(h.config.datasetUploadDir)).toEqual([]);
  }, 60_000);
});
