// Every answer carries helmet's headers, errors included (a 401 before auth let anything through,
// Fastify's own 400 for a URL that does not decode, 404, 413, 415), and no 4xx body holds a
// library's words: no FST_ code, no Fastify, JSZip or libvips text. Each request is timed against
// /health, which must keep answering within 250 ms while it runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinySearch } from '../fixtures/reference-search.js';
import { healthDuring } from '../helpers/event-loop-stall.js';
import { listen, startHarness, waitFor, type Harness } from '../helpers/harness.js';
import { saveUntrainedModel } from '../helpers/untrained-model.js';

const ADMIN = `admin-key-${'e'.repeat(32)}`;
const LIBRARY_TEXT = /FST_|Fastify|fastify|content-type is set to|End of data|Corrupted zip|Input buffer|vips|unsupported image format|Unexpected end of form|Malformed part/;

interface Answer { status: number; headers: Headers; body: { error: { code: string; message: string } } }

describe('error answers', () => {
  let h: Harness;
  let base: string;
  let key: string;
  beforeAll(async () => {
    h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN, BODY_LIMIT_BYTES: '4096' });
    base = await listen(h);
    key = (await h.request.post('/api-keys').set('authorization', `Bearer ${ADMIN}`).send({ tenant: 't', name: 'k' }).expect(201)).body.key;
  });
  afterAll(async () => { await h?.close(); });

  /** Sends the request beside /health probes; checks the stall, the headers and the body's words. */
  async function send(path: string, init: RequestInit & { headers?: Record<string, string> } = {}, withKey = true): Promise<Answer> {
    const headers = { ...(withKey ? { authorization: `Bearer ${key}` } : {}), ...init.headers };
    const { result, maxHealthMs, probes } = await healthDuring(base, async () => {
      const r = await fetch(`${base}${path}`, { ...init, headers });
      return { status: r.status, headers: r.headers, body: await r.json() } as Answer;
    });
    console.log(`${init.method ?? 'GET'} ${path} → ${result.status}: health ${maxHealthMs.toFixed(0)} ms over ${probes} probes`);
    expect(probes).toBeGreaterThan(0);
    expect(maxHealthMs).toBeLessThan(250);
    expect(result.headers.get('x-content-type-options')).toBe('nosniff');
    expect(result.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(result.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(result.headers.get('x-powered-by')).toBeNull();
    expect(result.body.error.code).not.toMatch(/^FST_/);
    expect(JSON.stringify(result.body)).not.toMatch(LIBRARY_TEXT);
    return result;
  }

  it('a 401 without a key', async () => {
    const res = await send('/searches', {}, false);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  it('a 404 for an unknown route', async () => {
    expect((await send('/nothing')).status).toBe(404);
  });

  it("a 400 for a URL that does not decode, raised by Fastify's router before any hook", async () => {
    const res = await send('/searches/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'BAD_REQUEST', message: 'url: is not a valid URL (a malformed percent-encoding)' });
  });

  it('a 413 for a body over BODY_LIMIT_BYTES', async () => {
    const res = await send('/searches', { method: 'POST', body: JSON.stringify({ name: 'x'.repeat(8192) }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    // BODY_LIMIT_BYTES (4096 here) is below the route's own limit: it is the one named.
    expect(res.body.error).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: 'body: exceeds 4096 bytes, the limit of POST /searches (BODY_LIMIT_BYTES)' });
  });

  it('a 415 for a content-type no route takes', async () => {
    const res = await send('/searches', { method: 'POST', body: '<name>x</name>', headers: { 'content-type': 'application/xml' } });
    expect(res.status).toBe(415);
    expect(res.body.error).toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'body: its content-type is not one this route accepts' });
  });

  it('a 400 in our words for malformed JSON, keeping the field-naming messages of our validation', async () => {
    const bad = await send('/searches', { method: 'POST', body: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    expect(bad.body.error.message).toMatch(/^body: is not valid JSON/);
    const invalid = await send('/searches', { method: 'POST', body: JSON.stringify({ ...tinySearch(), colour: 'red' }), headers: { 'content-type': 'application/json' } });
    expect(invalid.body.error.message).toBe("body: unknown field 'colour'");
  });

  it("a 400 in our words for a corrupt image to predict and a corrupt zip to upload (libvips', JSZip's)", async () => {
    const searchId = (await h.request.post('/searches').set('authorization', `Bearer ${key}`).send(tinySearch()).expect(201)).body.id;
    const modelId = await saveUntrainedModel(h.core.store, searchId);
    const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(200, 7)]);
    const image = await send(`/models/${modelId}/predict`, { method: 'POST', body: png, headers: { 'content-type': 'image/png' } });
    expect(image.status).toBe(400);
    expect(image.body.error.message).toMatch(/^image: (is not a PNG or JPEG image|cannot be decoded)/);
    const form = new FormData();
    form.set('name', 'z');
    form.set('format', 'images-zip');
    form.set('file', new Blob([Buffer.from('PK\x03\x04 but not really a zip')]), 'x.zip');
    // Decoded off the API's loop: a 202, and the verdict in words of ours is the dataset's.
    const { result: zip, maxHealthMs } = await healthDuring(base, async () => {
      const r = await fetch(`${base}/datasets`, { method: 'POST', body: form, headers: { authorization: `Bearer ${key}` } });
      return { status: r.status, body: await r.json() as { id: string } };
    });
    expect(zip.status).toBe(202);
    expect(maxHealthMs).toBeLessThan(250);
    const get = async () => (await h.request.get(`/datasets/${zip.body.id}`).set('authorization', `Bearer ${key}`)).body as { status: string; error?: object };
    const failed = await waitFor(get, (d) => d.status !== 'processing', 60_000, 'the upload');
    expect(failed.error).toEqual({ field: 'file', message: 'file: is not a readable zip archive' });
    expect(JSON.stringify(failed)).not.toMatch(LIBRARY_TEXT);
  }, 90_000);
});
