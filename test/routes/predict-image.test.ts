// Uploaded datasets end to end (SQLite, real Redis, a real worker training in child processes):
// upload a zip of PNGs, search on it, predict with a PNG exactly as with the same pixels as
// instances, delete the dataset (409 while its search runs). Then images of another size and
// colour against an RGB model, and the 4xx of bad image requests.
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/datasets/image.js';
import { describeArchitecture } from '../../src/domain/model-summary.js';
import { resolveTemplate } from '../../src/domain/model-template.js';
import { modelToArtifact } from '../../src/training/artifact.js';
import { buildModel, disposeModel } from '../../src/training/build-model.js';
import { loadFashionMnist } from '../../src/datasets/fashion-mnist.js';
import { imageRows } from '../fixtures/instances.js';
import { CLASS_FOLDERS, fashionSample, imageFile, imagesZip } from '../fixtures/dataset-files.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { uploadAndWait } from '../helpers/dataset-upload.js';
import { startHarness, waitFor, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('sqlite', { BODY_LIMIT_BYTES: '200000' });
  await h.startWorker();
}, 120_000);
afterAll(async () => { await h?.close(); });

const png = (pixels: Uint8Array, height: number, width: number, channels: 1 | 3) =>
  sharp(Buffer.from(pixels), { raw: { height, width, channels } }).toColourspace(channels === 1 ? 'b-w' : 'srgb').png().toBuffer();

describe('a search on an uploaded dataset', () => {
  it('trains on it, predicts a PNG as it predicts the same pixels, and deletes it once the search is done', async () => {
    const dataset = await uploadAndWait(h, h.request.post('/datasets').field('name', 'fashion pngs').field('format', 'images-zip')
      .attach('file', await imagesZip(fashionSample(600), 600), 'fashion.zip'));
    expect(dataset).toMatchObject({ inputShape: [28, 28, 1], numClasses: 10, trainSize: 600 });
    expect((await h.request.get('/datasets').expect(200)).body.datasets.map((d: { id: string }) => d.id)).toContain(dataset.id);

    const spec = tinySearch({ dataset: { id: dataset.id }, budget: { maxTrials: 1, maxParallelTrials: 1 }, training: { epochs: 2, batchSize: 16, validationSplit: 0.1 } });
    const { body: created } = await h.request.post('/searches').send(spec).expect(201);
    // Queued or running, it still needs the dataset.
    expect((await h.request.delete(`/datasets/${dataset.id}`).expect(409)).body.error.message).toContain(created.id);
    const search = await waitFor(async () => (await h.request.get(`/searches/${created.id}`)).body,
      (s) => s.status !== 'queued' && s.status !== 'running', 180_000, 'the search to finish');
    expect(search.status, JSON.stringify(search)).toBe('completed');
    const model = (await h.request.get(`/models/${search.bestModelId}`).expect(200)).body;
    expect(model.dataset).toEqual({ id: dataset.id, labels: dataset.labels, pixelMax: 255 });

    // Real test images the search never saw, as PNGs and as raw pixels.
    const test = loadFashionMnist(h.config.datasetDir, 'test', 20);
    const byPixels = (await h.request.post(`/models/${search.bestModelId}/predict`).send({ instances: Array.from({ length: 20 }, (_, i) => imageRows(test, i)) }).expect(200)).body.predictions;
    let correct = 0;
    for (let i = 0; i < 20; i++) {
      const file = await imageFile(test, i);
      const raw = await h.request.post(`/models/${search.bestModelId}/predict`).set('content-type', 'image/png').send(file).expect(200);
      expect(raw.body.predictions).toEqual([byPixels[i]]);
      const form = await h.request.post(`/models/${search.bestModelId}/predict`).attach('image', file, 'x.png').expect(200);
      expect(form.body.predictions).toEqual([byPixels[i]]);
      if (byPixels[i].label === CLASS_FOLDERS[test.labels[i]]) correct++;
    }
    expect(correct).toBeGreaterThan(5); // chance is 2 of 20; labels are the zip's folder names

    await h.request.delete(`/datasets/${dataset.id}`).expect(204);
    await h.request.get(`/datasets/${dataset.id}`).expect(404);
    // The model keeps its labels: it still predicts.
    await h.request.post(`/models/${search.bestModelId}/predict`).set('content-type', 'image/png').send(await imageFile(test, 0)).expect(200);
  }, 240_000);
});

describe('predicting images', () => {
  let modelId: string;

  /** A stored, untrained model on an uploaded RGB 14x14 dataset: predictions need no training. */
  beforeAll(async () => {
    const dataset = await uploadAndWait(h, h.request.post('/datasets').field('name', 'rgb').field('format', 'images-zip').field('inputShape', '[14, 14, 3]')
      .attach('file', await imagesZip(fashionSample(30), 30), 'rgb.zip'));
    const spec = tinySearch({ dataset: { id: dataset.id } });
    spec.model = { ...spec.model, inputShape: [14, 14, 3] };
    const { body: search } = await h.request.post('/searches').send({ ...spec, budget: { maxTrials: 1, maxParallelTrials: 1 } }).expect(201);
    await h.request.post(`/searches/${search.id}/cancel`).expect(200); // the worker must not train it
    const [trial] = await h.core.store.listTrials(search.id);
    const concrete = resolveTemplate(spec.model, trial.hyperparameters);
    const model = buildModel(concrete, 1);
    try {
      const summary = {
        ...describeArchitecture(concrete), hyperparameters: trial.hyperparameters,
        metrics: { valAccuracy: 0.1, bestEpoch: 1, epochs: 1 }, dataset: { id: dataset.id, labels: dataset.labels, pixelMax: 255 },
      };
      modelId = (await h.core.store.saveModel({ id: randomUUID(), searchId: search.id, trialId: trial.id, summary, artifact: await modelToArtifact(model) })).id;
    } finally {
      disposeModel(model);
    }
  });

  const predict = () => h.request.post(`/models/${modelId}/predict`);

  it('resizes and converts any PNG or JPEG as uploaded images are', async () => {
    const gray = await imageFile(fashionSample(1), 0); // 28x28 grayscale for a 14x14 RGB model
    const expected = await decodeImage(gray, { height: 14, width: 14, channels: 3 }, 'image');
    const rows = Array.from({ length: 14 }, (_, y) => Array.from({ length: 14 }, (_, x) => Array.from(expected.subarray((y * 14 + x) * 3, (y * 14 + x + 1) * 3))));
    const byPixels = (await predict().send({ instances: [rows] }).expect(200)).body.predictions;
    expect((await predict().set('content-type', 'image/png').send(gray).expect(200)).body.predictions).toEqual(byPixels);
    const jpeg = await imageFile(fashionSample(1), 0, { format: 'jpeg', channels: 3 });
    const { predictions } = (await predict().set('content-type', 'image/jpeg').send(jpeg).expect(200)).body;
    expect(predictions[0].probabilities).toHaveLength(10);
    // Transparent pixels count as black.
    const clear = await sharp({ create: { width: 14, height: 14, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 0 } } }).png().toBuffer();
    const black = await png(new Uint8Array(14 * 14 * 3), 14, 14, 3);
    expect((await predict().set('content-type', 'image/png').send(clear).expect(200)).body)
      .toEqual((await predict().set('content-type', 'image/png').send(black).expect(200)).body);
  });

  it('answers 4xx naming the image for what cannot be one', async () => {
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).gif().toBuffer();
    const good = await imageFile(fashionSample(1), 0);
    const cases: [ReturnType<typeof predict>, number, RegExp][] = [
      [predict().set('content-type', 'image/png').send(Buffer.from('garbage, not a png')), 400, /^image: is not a PNG or JPEG image/],
      [predict().set('content-type', 'image/png').send(good.subarray(0, good.length - 20)), 400, /^image: cannot be decoded/],
      [predict().set('content-type', 'image/png').send(gif), 400, /^image: is a gif image/],
      [predict().set('content-type', 'image/png').send(Buffer.alloc(0)), 400, /.+/],
      [predict().field('note', 'no file'), 400, /unknown field 'note'/],
      [predict().attach('picture', good, 'x.png'), 400, /^image: is required/],
      [predict().attach('image', good, 'x.png').attach('image', good, 'y.png'), 413, /.+/],
      [predict().set('content-type', 'image/png').send(Buffer.alloc(300_000)), 413, /.+/],
      [predict().attach('image', Buffer.alloc(300_000), 'big.png'), 413, /.+/],
      [predict().set('content-type', 'image/gif').send(gif), 415, /.+/],
      [predict().set('content-type', 'multipart/form-data; boundary=x').send('#&'), 400, /^body: is not a valid multipart\/form-data body/],
      [h.request.post('/models/nope/predict').set('content-type', 'image/png').send(good), 404, /model 'nope' not found/],
    ];
    for (const [req, status, message] of cases) {
      const res = await req;
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.message).toMatch(message);
    }
  });
});
