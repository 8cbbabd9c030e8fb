// GET /searches/:id/events over real HTTP on a real database, with no worker: the test writes the
// progress a worker would store, and reads the stream as a client would.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { searchRoutes } from '../../src/routes/searches.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { readSse } from '../helpers/sse.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('GET /searches/:id/events', () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startHarness('sqlite', { EVENTS_POLL_MS: '50' });
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => { await h?.close(); });

  const create = async () => (await h.request.post('/searches').send(tinySearch({ budget: { maxTrials: 1 } })).expect(201)).body.id as string;

  it('streams what the store records, live, and ends after search.finished', async () => {
    const id = await create();
    const reading = readSse(`${base}/searches/${id}/events`, { timeoutMs: 20_000 });
    const [t] = await h.core.store.listTrials(id);
    await sleep(150);
    await h.core.store.updateTrialIf(t.id, ['waiting'], { status: 'running', startedAt: new Date(), attempts: 1, backend: 'wasm' });
    await sleep(150);
    for (const epoch of [1, 2]) {
      await h.core.store.recordEpoch({ trialId: t.id, epoch, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5 + epoch / 10, durationMs: 5 });
      await sleep(150);
    }
    await h.core.store.updateTrialIf(t.id, ['running'], { status: 'completed', valAccuracy: 0.7, finishedAt: new Date() });
    const { version } = (await h.core.store.getSearch(id))!;
    expect(await h.core.store.commitSchedule(id, version, { status: 'completed', bestTrialId: t.id, finishedAt: new Date() }, [])).toBe(true);
    const r = await reading;
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff'); // helmet's headers are kept
    expect(r.headers.get('content-encoding')).toBeNull();
    expect(r.comments[0]).toBe('connected');
    expect(r.ended).toBe(true);
    expect(r.events.map((e) => [e.id, e.event])).toEqual([
      ['0.t1s', 'trial.started'], ['0.t1e1', 'trial.epoch'], ['0.t1e2', 'trial.epoch'], ['1', 'trial.finished'], ['1.end', 'search.finished'],
    ]);
    expect(r.events[3].data).toMatchObject({ trialId: t.id, number: 1, status: 'completed', valAccuracy: 0.7, error: null });
    expect(r.events[4].data).toMatchObject({ searchId: id, status: 'completed', bestTrial: { id: t.id, valAccuracy: 0.7 } });

    // Resumed from the middle: exactly the rest. From the end: 204, which stops EventSource reconnecting.
    const rest = await readSse(`${base}/searches/${id}/events`, { headers: { 'last-event-id': '0.t1e1' }, timeoutMs: 5000 });
    expect(rest.events).toEqual(r.events.slice(2));
    expect((await readSse(`${base}/searches/${id}/events`, { headers: { 'last-event-id': '1.end' } })).status).toBe(204);
  });

  it('answers 404 for an unknown search and 400 for a Last-Event-ID it did not write, as JSON errors', async () => {
    const res = await h.request.get('/searches/nope/events').expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    const id = await create();
    const bad = await h.request.get(`/searches/${id}/events`).set('last-event-id', 'garbage').expect(400);
    expect(bad.body.error.message).toMatch(/last-event-id/);
  });

  it('stops polling when the client disconnects', async () => {
    const id = await create();
    const progress = vi.spyOn(h.core.searches, 'progress');
    try {
      const res = await fetch(`${base}/searches/${id}/events`);
      expect(res.status).toBe(200);
      await sleep(300);
      expect(progress.mock.calls.length).toBeGreaterThan(2); // it polls while the client listens
      await res.body!.cancel();
      await sleep(200);
      const calls = progress.mock.calls.length;
      await sleep(300);
      expect(progress.mock.calls.length).toBe(calls);
    } finally {
      progress.mockRestore();
    }
  });

  it('sends keep-alive comments while idle, and ends open streams when the server closes', async () => {
    const id = await create();
    const app = Fastify({ ajv: { customOptions: { discriminator: true } } });
    await app.register(searchRoutes, { searches: h.core.searches, events: { pollMs: 50, keepAliveMs: 100 } });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const reading = readSse(`${url}/searches/${id}/events`, { timeoutMs: 10_000 });
    await sleep(400);
    const started = Date.now();
    await app.close(); // would wait forever on the open stream
    expect(Date.now() - started).toBeLessThan(2000);
    const r = await reading;
    expect(r.ended).toBe(true);
    expect(r.comments.filter((c) => c === 'keep-alive').length).toBeGreaterThanOrEqual(2);
  });

  it('is documented in OpenAPI as text/event-stream', async () => {
    const doc = (await h.request.get('/docs/json').expect(200)).body;
    const op = doc.paths['/searches/{id}/events'].get;
    expect(Object.keys(op.responses['200'].content)).toEqual(['text/event-stream']);
    expect(op.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['path:id', 'header:last-event-id']));
  });
});

describe('GET /searches/:id/events with tenants', () => {
  const ADMIN = `admin-key-${'e'.repeat(32)}`;
  let h: Harness;
  beforeAll(async () => { h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN }); });
  afterAll(async () => { await h?.close(); });

  it("answers another tenant's search 404, exactly like GET /searches/:id", async () => {
    const keys: Record<string, string> = {};
    for (const tenant of ['alpha', 'beta'])
      keys[tenant] = (await h.request.post('/api-keys').set('authorization', `Bearer ${ADMIN}`).send({ tenant, name: 'k' }).expect(201)).body.key;
    const id = (await h.request.post('/searches').set('authorization', `Bearer ${keys.alpha}`).send(tinySearch()).expect(201)).body.id;
    const other = await h.request.get(`/searches/${id}/events`).set('authorization', `Bearer ${keys.beta}`).expect(404);
    expect(other.body).toEqual((await h.request.get(`/searches/${id}`).set('authorization', `Bearer ${keys.beta}`).expect(404)).body);
    await h.request.get(`/searches/${id}/events`).expect(401);
    const own = await readSse(`${await h.app.listen({ port: 0, host: '127.0.0.1' })}/searches/${id}/events`, {
      headers: { authorization: `Bearer ${keys.alpha}` }, stop: (r) => r.comments.includes('connected'),
    });
    expect(own.status).toBe(200);
  });
});
