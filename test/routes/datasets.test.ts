// POST/GET/DELETE /datasets through HTTP on SQLite and PostgreSQL: uploads of every format from
// real Fashion-MNIST images (202, then ready), the 4xx each bad form gets and the failure each bad file ends in, searches checked against an uploaded
// dataset, deletion refused while a search needs it, and tenant isolation.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type supertest from 'supertest';
import { csvFile, fashionSample, idxFiles, imagesZip } from '../fixtures/dataset-files.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { uploadAndFail, uploadAndWait } from '../helpers/dataset-upload.js';
import { postgresAvailable, startHarness, type Harness } from '../helpers/harness.js';

const MAX_BYTES = 1_000_000;
const BACKENDS = ['sqlite' as const, ...(await postgresAvailable() ? ['postgres' as const] : [])];
const FOLDERS_SORTED = ['bag', 'boot', 'coat', 'dress', 'pullover', 'sandal', 'shirt', 'sneaker', 'trouser', 'tshirt'];

type Form = { fields?: Record<string, string>; files?: Record<string, Buffer> };
const post = (h: Harness, form: Form, auth?: string) => {
  let req = h.request.post('/datasets');
  if (auth) req = req.set('authorization', `Bearer ${auth}`);
  for (const [k, v] of Object.entries(form.fields ?? {})) req = req.field(k, v);
  for (const [k, v] of Object.entries(form.files ?? {})) req = req.attach(k, v, `${k}.bin`);
  return req;
};
const expectError = (res: supertest.Response, status: number, field?: string, reason?: RegExp) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toEqual(expect.any(String));
  if (field) expect(res.body.error.details.field).toBe(field);
  if (reason) expect(res.body.error.message).toMatch(reason);
};

describe.each(BACKENDS)('/datasets on %s', (db) => {
  let h: Harness;
  const set = fashionSample(200);
  beforeAll(async () => { h = await startHarness(db, { DATASET_MAX_BYTES: String(MAX_BYTES) }); });
  afterAll(async () => { await h?.close(); });

  it('uploads IDX, a zip of images and a CSV, and lists them after the built-in', async () => {
    const idx = idxFiles(set, true);
    const test = idxFiles(fashionSample(50));
    const a = await uploadAndWait(h, post(h, { fields: { name: 'fashion idx', format: 'idx', labels: 'a,b,c,d,e,f,g,h,i,j' }, files: { trainImages: idx.images, trainLabels: idx.labels, testImages: test.images, testLabels: test.labels } }));
    expect(a).toMatchObject({ name: 'fashion idx', format: 'idx', builtIn: false, status: 'ready', inputShape: [28, 28, 1], numClasses: 10, trainSize: 200, testSize: 50, pixelMax: 255, bytes: 250 * 785 });
    expect((a.labels as string[])[9]).toBe('j');
    const z = await uploadAndWait(h, post(h, { fields: { name: 'fashion pngs', format: 'images-zip', inputShape: '14x14' }, files: { file: await imagesZip(set, 60) } }));
    expect(z).toMatchObject({ format: 'images-zip', inputShape: [14, 14, 1], labels: FOLDERS_SORTED, trainSize: 60, testSize: 0 });
    const c = await uploadAndWait(h, post(h, { fields: { name: 'fashion csv', format: 'csv' }, files: { file: csvFile(set, 30, { header: true }) } }));
    expect(c).toMatchObject({ format: 'csv', inputShape: [28, 28, 1], trainSize: 30 });

    const { body } = await h.request.get('/datasets').expect(200);
    expect(body.datasets.map((d: { id: string }) => d.id)).toEqual(['fashion-mnist', a.id, z.id, c.id]);
    expect(body.datasets[0]).toMatchObject({ builtIn: true, status: 'ready', format: 'idx', trainSize: 60000, createdAt: null });
    const keys = ['builtIn', 'createdAt', 'format', 'id', 'inputShape', 'labels', 'name', 'numClasses', 'pixelMax', 'status', 'testSize', 'trainSize'];
    for (const d of body.datasets) expect(Object.keys(d).sort()).toEqual(d.builtIn ? keys : [...keys, 'bytes'].sort()); // no pixels in a list
    expect((await h.request.get(`/datasets/${z.id}`).expect(200)).body).toEqual(z);
    expect((await h.request.get('/datasets/fashion-mnist').expect(200)).body.labels).toContain('Ankle boot');
    // The stored pixels are what the worker will train on.
    const stored = await h.core.datasets.load(a.id, 10);
    expect(Buffer.compare(stored.images, set.images.subarray(0, 7840))).toBe(0);
    expect([...stored.labels]).toEqual([...set.labels.subarray(0, 10)]);
  }, 120_000);

  it('answers 400 naming the field for bad forms (writing nothing); bad files end failed, naming the field', async () => {
    const before = (await h.request.get('/datasets').expect(200)).body.datasets.length;
    const idx = idxFiles(set);
    const zip = await imagesZip(set, 20, { extra: { 'bag/broken.png': 'not a png' } });
    const cases: [Form, string, RegExp][] = [
      [{ fields: { format: 'idx' }, files: { trainImages: idx.images, trainLabels: idx.labels } }, 'name', /is required/],
      [{ fields: { name: 'x', format: 'parquet' }, files: { file: idx.images } }, 'format', /must be one of/],
      [{ fields: { name: 'x', format: 'idx', colour: 'blue' }, files: { trainImages: idx.images, trainLabels: idx.labels } }, 'body', /unknown field 'colour'/],
      [{ fields: { name: 'x', format: 'idx', channels: '2' }, files: { trainImages: idx.images, trainLabels: idx.labels } }, 'channels', /must be one of/],
      [{ fields: { name: 'x', format: 'idx' }, files: { trainImages: idx.images } }, 'trainLabels', /is required for format 'idx'/],
      [{ fields: { name: 'x', format: 'idx' } }, 'trainImages', /is required for format 'idx'/],
      [{ fields: { name: 'x', format: 'idx' }, files: { trainImages: idx.images, trainLabels: idx.labels, file: idx.images } }, 'file', /is not a file of format 'idx'/],
      [{ fields: { name: 'x', format: 'idx', inputShape: '28x28' }, files: { trainImages: idx.images, trainLabels: idx.labels } }, 'inputShape', /does not apply to format 'idx'/],
      [{ fields: { name: 'x', format: 'images-zip', inputShape: '0x5' }, files: { file: zip } }, 'inputShape', /positive integers/],
      [{ fields: { name: 'x\u0000', format: 'csv' }, files: { file: csvFile(set, 20) } }, 'name', /NUL/],
    ];
    for (const [form, field, reason] of cases) expectError(await post(h, form), 400, field, reason);
    expect((await h.request.get('/datasets').expect(200)).body.datasets.length).toBe(before);
    const decoded: [Form, string, RegExp][] = [
      [{ fields: { name: 'x', format: 'idx' }, files: { trainImages: idx.labels, trainLabels: idx.labels } }, 'trainImages', /rank 3/],
      [{ fields: { name: 'x', format: 'idx' }, files: { trainImages: Buffer.from('garbage garbage'), trainLabels: idx.labels } }, 'trainImages', /bad magic number/],
      [{ fields: { name: 'x', format: 'images-zip' }, files: { file: zip } }, 'file', /'bag\/broken.png' is not a PNG or JPEG image/],
      [{ fields: { name: 'x', format: 'images-zip' }, files: { file: idx.images } }, 'file', /not a readable zip archive/],
      [{ fields: { name: 'x', format: 'csv', inputShape: '10x10' }, files: { file: csvFile(set, 20) } }, 'inputShape', /holds 100 values, but the rows hold 784/],
    ];
    for (const [form, field, reason] of decoded) {
      const failed = await uploadAndFail(h, post(h, form));
      expect(failed.error?.field).toBe(field);
      expect(failed.error?.message).toMatch(reason);
      expect(failed).toMatchObject({ bytes: 0, trainSize: 0 });
    }
    const failedIds = (await h.request.get('/datasets').expect(200)).body.datasets.slice(before).map((d: { status: string }) => d.status);
    expect(failedIds).toEqual(decoded.map(() => 'failed'));
    expect(readdirSync(h.config.datasetUploadDir)).toEqual([]); // every upload's files are gone
  }, 120_000);

  it('answers 415 for a body that is not a form, and 413 past DATASET_MAX_BYTES', async () => {
    expectError(await h.request.post('/datasets').send({ name: 'x', format: 'idx' }), 415, undefined, /takes multipart\/form-data/);
    const multipart = (payload: string) => h.request.post('/datasets').set('content-type', 'multipart/form-data; boundary=x').send(payload);
    expectError(await multipart('#&'), 400, 'body', /is not a valid multipart\/form-data body/);
    expectError(await multipart('--x\r\nbroken header\r\n\r\n--x--'), 400, 'name', /is required/); // busboy skips the part
    expectError(await multipart('--x\r\ncontent-disposition: form-data; name="name"\r\n\r\nabc'), 400); // cut short
    const huge = Buffer.alloc(MAX_BYTES + 10, 1);
    expectError(await post(h, { fields: { name: 'x', format: 'idx' }, files: { trainImages: huge, trainLabels: idxFiles(set).labels } }), 413);
    const idx = idxFiles(fashionSample(1000)); // 784,000 + 1,000 bytes: each fits, together they do not
    const halfFull = { trainImages: idx.images, trainLabels: idx.labels, testImages: idx.images, testLabels: idx.labels };
    expectError(await post(h, { fields: { name: 'x', format: 'idx' }, files: halfFull }), 413, undefined, /DATASET_MAX_BYTES/);
    // Decoded pixels count too: 20 images of 512x512 are 5 MB (known once decoded).
    const big = await uploadAndFail(h, post(h, { fields: { name: 'x', format: 'images-zip', inputShape: '512,512' }, files: { file: await imagesZip(set, 20) } }));
    expect(big.error).toEqual({ field: null, message: expect.stringMatching(/DATASET_MAX_BYTES/) });
  }, 120_000);

  it('checks searches against an uploaded dataset: shape, classes, size', async () => {
    const d = await uploadAndWait(h, post(h, { fields: { name: 'small', format: 'images-zip', inputShape: '[14, 14, 3]' }, files: { file: await imagesZip(set, 40) } }));
    const search = (over: object) => ({ ...tinySearch(), dataset: { id: d.id }, ...over });
    expectError(await h.request.post('/searches').send(search({})), 400, 'model.inputShape', /must be \[14, 14, 3\] for dataset/);
    const model = { ...tinySearch().model, inputShape: [14, 14, 3] };
    expectError(await h.request.post('/searches').send(search({ model, dataset: { id: d.id, limit: 41 } })), 400, 'dataset.limit', /from 10 to 40/);
    await h.request.post('/searches').send(search({ model })).expect(201);
    expectError(await h.request.post('/searches').send(search({ dataset: { id: 'no-such-dataset' } })), 400, 'dataset.id', /unknown dataset/);
  }, 120_000);

  it('refuses to delete a dataset an unfinished search trains on, and built-ins; deletes otherwise', async () => {
    const d = await uploadAndWait(h, post(h, { fields: { name: 'doomed', format: 'csv' }, files: { file: csvFile(set, 20) } }));
    const { body: s } = await h.request.post('/searches').send({ ...tinySearch(), dataset: { id: d.id } }).expect(201);
    expect(s.status).toBe('queued'); // no worker here: it stays queued
    expectError(await h.request.delete(`/datasets/${d.id}`), 409, undefined, new RegExp(`search\\(es\\) ${s.id} still training`));
    await h.request.post(`/searches/${s.id}/cancel`).expect(200);
    await h.request.delete(`/datasets/${d.id}`).expect(204);
    expectError(await h.request.get(`/datasets/${d.id}`), 404);
    expectError(await h.request.delete(`/datasets/${d.id}`), 404);
    expectError(await h.request.delete('/datasets/fashion-mnist'), 409, undefined, /built in/);
    expectError(await h.request.get('/datasets/../etc'), 404);
  }, 120_000);
});

describe('/datasets with authentication on', () => {
  const ADMIN = `admin-key-${'d'.repeat(32)}`;
  let h: Harness;
  const key: Record<string, string> = {};
  beforeAll(async () => {
    h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN });
    for (const tenant of ['alpha', 'beta'])
      key[tenant] = (await h.request.post('/api-keys').set('authorization', `Bearer ${ADMIN}`).send({ tenant, name: tenant }).expect(201)).body.key;
  });
  afterAll(async () => { await h?.close(); });

  it("keeps a tenant's uploads to that tenant, as searches are", async () => {
    const d = await uploadAndWait(h, post(h, { fields: { name: 'alpha data', format: 'csv' }, files: { file: csvFile(fashionSample(20), 20) } }, key.alpha), key.alpha);
    const as = (who: string) => ({ authorization: `Bearer ${key[who]}` });
    expect((await h.request.get('/datasets').set(as('alpha')).expect(200)).body.datasets.map((x: { id: string }) => x.id)).toEqual(['fashion-mnist', d.id]);
    expect((await h.request.get('/datasets').set(as('beta')).expect(200)).body.datasets.map((x: { id: string }) => x.id)).toEqual(['fashion-mnist']);
    expectError(await h.request.get(`/datasets/${d.id}`).set(as('beta')), 404);
    expectError(await h.request.delete(`/datasets/${d.id}`).set(as('beta')), 404);
    expectError(await h.request.post('/searches').set(as('beta')).send({ ...tinySearch(), dataset: { id: d.id } }), 400, 'dataset.id', /unknown dataset/);
    await h.request.post('/searches').set(as('alpha')).send({ ...tinySearch(), dataset: { id: d.id } }).expect(201);
    expectError(await h.request.get('/datasets'), 401);
    expectError(await h.request.get('/datasets').set('authorization', `Bearer ${ADMIN}`), 403);
  }, 60_000);

  it('documents the routes in OpenAPI, the upload as a multipart form', async () => {
    const { body } = await h.request.get('/docs/json').expect(200);
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/datasets', '/datasets/{id}']));
    const upload = body.paths['/datasets'].post.requestBody.content['multipart/form-data'].schema;
    expect(upload.properties.trainImages).toMatchObject({ type: 'string', format: 'binary' });
    expect(upload.required).toEqual(['name', 'format']);
    const predict = body.paths['/models/{id}/predict'].post.requestBody.content;
    expect(Object.keys(predict)).toEqual(['application/json', 'image/png', 'image/jpeg', 'multipart/form-data']);
  });
});
