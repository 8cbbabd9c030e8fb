// Per-route JSON body limits through the real app: each route answers 413 past its own bytes,
// values or token length, naming the route, the limit and the setting that raises it; multipart
// uploads keep theirs; a chunked body without content-length is counted as it arrives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREDICT_VALUES_PER_INSTANCE } from '../../src/plugins/body-limits.js';
import { waitForDataset } from '../helpers/dataset-upload.js';
import { listen, startHarness, type Harness } from '../helpers/harness.js';

const KiB = 1024;

describe('per-route body limits', () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startHarness('sqlite', { SEARCH_BODY_LIMIT_BYTES: String(64 * KiB), SEARCH_BODY_MAX_VALUES: '5000', MAX_PREDICT_INSTANCES: '4' });
    base = await listen(h);
  });
  afterAll(async () => { await h?.close(); });

  const post = (path: string, body: string | ReadableStream, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, ...(typeof body === 'string' ? {} : { duplex: 'half' }) } as RequestInit)
      .then(async (r) => ({ status: r.status, body: await r.json() as { error: { code: string; message: string } } }));
  const tooLarge = (message: string) => ({ code: 'PAYLOAD_TOO_LARGE', message });

  it('gives a search and a warm start SEARCH_BODY_LIMIT_BYTES, refused on the content-length', async () => {
    const big = JSON.stringify({ name: 'x', pad: 'y'.repeat(64 * KiB) });
    expect(await post('/searches', big)).toEqual({ status: 413, body: { error: tooLarge('body: exceeds 65536 bytes, the limit of POST /searches (SEARCH_BODY_LIMIT_BYTES)') } });
    expect((await post('/searches/nope/trials', big)).body.error).toEqual(tooLarge('body: exceeds 65536 bytes, the limit of POST /searches/:id/trials (SEARCH_BODY_LIMIT_BYTES)'));
    // Just within: parsed, then refused by the schema (not a 413).
    const within = JSON.stringify({ trials: [{ hyperparameters: { a: 1 } }], pad: 'y'.repeat(4000) });
    expect((await post('/searches/nope/trials', within)).status).toBe(400);
  });

  it('counts a body that comes chunked, without a content-length, as it arrives', async () => {
    const chunk = new TextEncoder().encode(`[${'0,'.repeat(8 * KiB)}`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(ctl) { if (sent++ < 20) ctl.enqueue(chunk); else ctl.close(); },
    });
    expect((await post('/searches', stream)).body.error).toEqual(tooLarge('body: exceeds 65536 bytes, the limit of POST /searches (SEARCH_BODY_LIMIT_BYTES)'));
  });

  it('refuses more JSON values than SEARCH_BODY_MAX_VALUES before parsing, keys not counted', async () => {
    const flat = `{"name":"x","hyperparameters":[${Array(5000).fill('0').join(',')}]}`; // 5,002 values
    expect((await post('/searches', flat)).body.error).toEqual(tooLarge('body: holds more than 5000 JSON values, the limit of POST /searches (SEARCH_BODY_MAX_VALUES)'));
    const keys = `{${Array.from({ length: 4000 }, (_, i) => `"k${i}":${i}`).join(',')}}`; // 4,001 values, 4,000 keys
    expect((await post('/searches', keys)).status).toBe(400); // the schema's answer, not a 413
  });

  it('refuses a string or number longer than 4096 bytes on every route but predict', async () => {
    const message = (route: string) => tooLarge(`body: holds a string or number longer than 4096 bytes, the limit of ${route}`);
    expect((await post('/searches', JSON.stringify({ name: 'x'.repeat(4097) }))).body.error).toEqual(message('POST /searches'));
    expect((await post('/searches/nope/retrain', `{"epochs":${'9'.repeat(5000)}}`)).body.error).toEqual(message('POST /searches/:id/retrain'));
    expect((await post('/searches', JSON.stringify({ name: 'x'.repeat(4096) }))).status).toBe(400); // at the limit: the schema's turn
    // A long number in a prediction reaches the instance checks (a 404 here: no such model).
    expect((await post('/models/nope/predict', `{"instances":[[[${'1'.repeat(5000)}]]]}`)).status).toBe(404);
  });

  it('gives every other JSON route 16 KiB and 1,024 values', async () => {
    const big = JSON.stringify({ epochs: 1, pad: 'y'.repeat(16 * KiB) });
    expect((await post('/searches/nope/retrain', big)).body.error).toEqual(tooLarge('body: exceeds 16384 bytes, the limit of POST /searches/:id/retrain'));
    expect((await post('/searches/nope/cancel', big)).body.error).toEqual(tooLarge('body: exceeds 16384 bytes, the limit of POST /searches/:id/cancel'));
    const many = `[${Array(1025).fill('0').join(',')}]`;
    expect((await post('/searches/nope/cancel', many)).body.error).toEqual(tooLarge('body: holds more than 1024 JSON values, the limit of POST /searches/:id/cancel'));
  });

  it('gives a prediction room for MAX_PREDICT_INSTANCES images of 28x28x3', async () => {
    const values = 4 * PREDICT_VALUES_PER_INSTANCE + 16;
    const image = JSON.stringify(Array.from({ length: 28 }, () => Array.from({ length: 28 }, () => [255, 255, 255])));
    const four = `{"instances":[${Array(4).fill(image).join(',')}]}`;
    expect((await post('/models/nope/predict', four)).status).toBe(404); // parsed: only the model is unknown
    const flat = `{"instances":[${Array(values).fill('0').join(',')}]}`;
    expect((await post('/models/nope/predict', flat)).body.error).toEqual(tooLarge(`body: holds more than ${values} JSON values, the limit of POST /models/:id/predict (MAX_PREDICT_INSTANCES)`));
    const bytes = values * 9;
    const big = `{"instances":[[${'0'.repeat(bytes)}]]}`;
    expect((await post('/models/nope/predict', big)).body.error).toEqual(tooLarge(`body: exceeds ${bytes} bytes, the limit of POST /models/:id/predict (MAX_PREDICT_INSTANCES)`));
  });

  it('leaves multipart uploads their own limits: a 100 KiB CSV is taken', async () => {
    const row = (label: number) => `${label},${Array.from({ length: 784 }, (_, k) => (k + label) % 10).join(',')}`;
    const csv = Array.from({ length: 72 }, (_, i) => row(i % 2)).join('\n');
    expect(csv.length).toBeGreaterThan(100 * KiB);
    const form = new FormData();
    form.set('name', 'wide');
    form.set('format', 'csv');
    form.set('file', new Blob([csv]), 'wide.csv');
    const res = await fetch(`${base}/datasets`, { method: 'POST', body: form });
    const body = await res.json() as { id: string };
    expect(res.status, JSON.stringify(body)).toBe(202);
    // Taken whole: the decoding process reads all 72 rows.
    expect(await waitForDataset(h, body.id)).toMatchObject({ status: 'ready', trainSize: 72, inputShape: [28, 28, 1] });
  });

  it('scans a JSON body to an unknown URL with the small limits', async () => {
    const flat = `[${Array(2000).fill('0').join(',')}]`;
    expect((await post('/nothing-here', flat)).status).toBe(413);
  });
});
