// GET /searches/:id/events shares one poll per search among all of its streams, and caps open
// streams per key and in all. Over real HTTP on a real database; the test stores the progress a
// worker would, and counts the store's reads.
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { tinySearch } from '../fixtures/reference-search.js';
import { listen, startHarness, type Harness } from '../helpers/harness.js';
import { openStream, type OpenStream } from '../helpers/sse-stream.js';
import { waitFor } from '../support/wait.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const POLL_MS = 100;

/** A search with one trial, running, with `epochs` epochs stored; and the writes a worker would make. */
async function runningSearch(h: Harness, epochs: number, auth: Record<string, string> = {}) {
  const req = h.request.post('/searches');
  for (const [k, v] of Object.entries(auth)) req.set(k, v);
  const id = (await req.send(tinySearch({ budget: { maxTrials: 1 } })).expect(201)).body.id as string;
  const [t] = await h.core.store.listTrials(id);
  await h.core.store.updateTrialIf(t.id, ['waiting'], { status: 'running', startedAt: new Date(), attempts: 1, backend: 'wasm' });
  const epoch = (n: number) => h.core.store.recordEpoch({ trialId: t.id, epoch: n, loss: 1 / n, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5 + n / 100, durationMs: 5 });
  for (let n = 1; n <= epochs; n++) await epoch(n);
  return {
    id, trialId: t.id, epoch,
    finishTrial: () => h.core.store.updateTrialIf(t.id, ['running'], { status: 'completed', valAccuracy: 0.7, value: 0.7, finishedAt: new Date() }),
    async finishSearch() {
      const { version } = (await h.core.store.getSearch(id))!;
      expect(await h.core.store.commitSchedule(id, version, { status: 'completed', bestTrialId: t.id, finishedAt: new Date() }, [])).toBe(true);
    },
  };
}

const READS = ['getSearch', 'getSearchState', 'listTrials', 'listTrialsWithEpochs', 'listEpochsOf'] as const;

describe('GET /searches/:id/events: one poll per search', () => {
  let h: Harness;
  let base: string;
  let reads: Record<(typeof READS)[number], MockInstance>;
  beforeAll(async () => {
    h = await startHarness('sqlite', { EVENTS_POLL_MS: String(POLL_MS) });
    base = await listen(h);
  });
  afterAll(async () => { await h?.close(); });
  const spyReads = () => { reads = Object.fromEntries(READS.map((m) => [m, vi.spyOn(h.core.store, m)])) as unknown as typeof reads; };
  const unspy = () => { for (const m of Object.values(reads ?? {})) m.mockRestore(); };
  const calls = (m: (typeof READS)[number]) => reads[m].mock.calls.length;

  it('reads the store once a poll for all of a search’s streams, never its spec, and no finished trial’s epochs again', async () => {
    const s = await runningSearch(h, 2);
    spyReads();
    try {
      const streams = await Promise.all(Array.from({ length: 5 }, () => openStream(`${base}/searches/${s.id}/events`)));
      await sleep(10 * POLL_MS);
      const polls = calls('getSearchState');
      // Five streams polling on their own would read ~50 times in 10 intervals.
      expect(polls).toBeGreaterThanOrEqual(4);
      expect(polls).toBeLessThanOrEqual(12);
      expect(Math.abs(calls('listTrials') - polls)).toBeLessThanOrEqual(1);
      expect(calls('getSearch') + calls('listTrialsWithEpochs')).toBe(0); // the spec is never read
      for (const r of streams) expect(r.events.map((e) => e.id)).toEqual(['0.t1s', '0.t1e1', '0.t1e2']);

      await s.epoch(3);
      await s.finishTrial();
      await waitFor(async () => streams.map((r) => r.events.length), (n) => n.every((x) => x === 5), 5000, 'every stream to have 5 events', 20);
      const before = calls('listEpochsOf');
      await sleep(5 * POLL_MS);
      // The trial is final: its epochs are not read again (the poll asks for no trial's).
      expect(calls('listEpochsOf')).toBeGreaterThan(before);
      for (const [ids] of reads.listEpochsOf.mock.calls.slice(before)) expect(ids).toEqual([]);
      for (const r of streams) expect(r.events).toEqual(streams[0].events);

      await s.finishSearch();
      await Promise.all(streams.map((r) => r.done)); // search.finished ends every stream
      for (const r of streams) expect(r.events.map((e) => e.id)).toEqual(['0.t1s', '0.t1e1', '0.t1e2', '0.t1e3', '1', '1.end']);
    } finally {
      unspy();
    }
  });

  it('resumes each stream from its own Last-Event-ID, on one shared poll', async () => {
    const s = await runningSearch(h, 1);
    const url = `${base}/searches/${s.id}/events`;
    const streams = await Promise.all(['', '0.t1s', '0.t1e1'].map((id) => openStream(url, id ? { 'last-event-id': id } : {})));
    await s.epoch(2);
    await sleep(3 * POLL_MS);
    const late = await openStream(url, { 'last-event-id': '0.t1e1' }); // joins the running poll
    await s.finishTrial();
    await s.finishSearch();
    await Promise.all([...streams, late].map((r) => r.done));
    const all = streams[0].events;
    expect(all.map((e) => `${e.id} ${e.event}`)).toEqual(['0.t1s trial.started', '0.t1e1 trial.epoch', '0.t1e2 trial.epoch', '1 trial.finished', '1.end search.finished']);
    expect(streams[1].events).toEqual(all.slice(1));
    expect(streams[2].events).toEqual(all.slice(2));
    expect(late.events).toEqual(all.slice(2));
  });

  it('stops polling when the last stream of a search closes, and starts again for a new one', async () => {
    const s = await runningSearch(h, 0);
    spyReads();
    try {
      const streams = await Promise.all(Array.from({ length: 3 }, () => openStream(`${base}/searches/${s.id}/events`)));
      await streams[0].close();
      await streams[1].close();
      const a = calls('getSearchState');
      await sleep(5 * POLL_MS);
      expect(calls('getSearchState')).toBeGreaterThan(a + 2); // one stream left: still polled
      await streams[2].close();
      await sleep(3 * POLL_MS);
      const b = calls('getSearchState');
      await sleep(5 * POLL_MS);
      expect(calls('getSearchState')).toBe(b);
      const again = await openStream(`${base}/searches/${s.id}/events`);
      await sleep(5 * POLL_MS);
      expect(calls('getSearchState')).toBeGreaterThan(b + 2);
      await again.close();
    } finally {
      unspy();
    }
  });
});

describe('GET /searches/:id/events: caps on open streams', () => {
  const ADMIN = `admin-key-${'c'.repeat(32)}`;
  let h: Harness;
  let base: string;
  const keys: Record<string, Record<string, string>> = {};
  beforeAll(async () => {
    h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN, EVENTS_POLL_MS: String(POLL_MS), EVENTS_MAX_STREAMS_PER_KEY: '2', EVENTS_MAX_STREAMS: '3' });
    base = await listen(h);
    for (const tenant of ['alpha', 'beta']) {
      const key = (await h.request.post('/api-keys').set('authorization', `Bearer ${ADMIN}`).send({ tenant, name: 'k' }).expect(201)).body.key;
      keys[tenant] = { authorization: `Bearer ${key}` };
    }
  });
  afterAll(async () => { await h?.close(); });

  it('answers 429 naming the limit over a cap, per key and in all, and frees the slot when a stream closes', async () => {
    const alpha = await runningSearch(h, 1, keys.alpha);
    const beta = await runningSearch(h, 1, keys.beta);
    const open = (tenant: string, id: string) => openStream(`${base}/searches/${id}/events`, keys[tenant]);
    // Refused requests hold no slot: another tenant's search (404), a finished cursor (204).
    for (let i = 0; i < 3; i++) {
      expect((await open('beta', alpha.id)).status).toBe(404);
      expect((await openStream(`${base}/searches/${beta.id}/events`, { ...keys.beta, 'last-event-id': '1.end' })).status).toBe(204);
    }

    const mine: OpenStream[] = [await open('alpha', alpha.id), await open('alpha', alpha.id)];
    expect(mine.map((r) => r.status)).toEqual([200, 200]);
    const over = await open('alpha', alpha.id);
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ error: { code: 'RATE_LIMITED', message: expect.stringContaining('at most 2 (EVENTS_MAX_STREAMS_PER_KEY)') } });
    expect((await open('alpha', beta.id)).status).toBe(429); // over its cap, even for a search it cannot see

    const theirs = await open('beta', beta.id); // another key has slots of its own
    expect(theirs.status).toBe(200);
    const full = await open('beta', beta.id);
    expect(full.status).toBe(429);
    expect(full.body).toMatchObject({ error: { code: 'RATE_LIMITED', message: expect.stringContaining('at most 3 (EVENTS_MAX_STREAMS)') } });

    await mine[0].close();
    const reopened = await waitFor(() => open('alpha', alpha.id), (r) => r.status === 200, 5000, 'a freed slot', 20);
    await waitFor(async () => reopened.events.map((e) => e.id), (ids) => ids.length === 2, 5000, 'its events', 20);
    for (const r of [mine[1], theirs, reopened]) await r.close();
  });
});
