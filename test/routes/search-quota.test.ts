// SEARCH_QUOTA_RUNNING: a tenant's searches still at work (queued, running, or finished with a
// retrain still waiting or running) are capped; one more POST /searches answers 409 QUOTA_EXCEEDED
// naming the quota, another tenant is unaffected, and a cancel frees a place. No worker runs here,
// so every search created stays at work until cancelled.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moveTrial } from '../../src/services/trial-transitions.js';
import { microSearch } from '../fixtures/micro-search.js';
import { postgresAvailable, startHarness, type Harness } from '../helpers/harness.js';

const ADMIN = `admin-key-${'q'.repeat(32)}`;
const BACKENDS = ['sqlite' as const, ...(await postgresAvailable() ? ['postgres' as const] : [])];

describe.each(BACKENDS)('the running-searches quota on %s', (backend) => {
  let h: Harness;
  let a: string;
  let b: string;
  beforeAll(async () => {
    h = await startHarness(backend, { ADMIN_API_KEY: ADMIN, SEARCH_QUOTA_RUNNING: '2' });
    a = `Bearer ${(await h.core.apiKeys.create({ tenant: 'a', name: 'k' })).key}`;
    b = `Bearer ${(await h.core.apiKeys.create({ tenant: 'b', name: 'k' })).key}`;
  });
  afterAll(async () => { await h?.close(); });

  const create = (auth: string) => h.request.post('/searches').set('authorization', auth).send(microSearch());
  const count = async (auth: string) => (await h.request.get('/searches').set('authorization', auth).expect(200)).body.searches.length;

  it('409 QUOTA_EXCEEDED past the quota, nothing created; another tenant unaffected; a cancel frees a place', async () => {
    const first = (await create(a).expect(201)).body.id as string;
    await create(a).expect(201);
    const over = await create(a).expect(409);
    expect(over.body.error).toEqual({
      code: 'QUOTA_EXCEEDED',
      message: 'quota exceeded: searches running at once is limited to 2 per tenant (2 in use; SEARCH_QUOTA_RUNNING)',
      details: { quota: 'searches running at once', limit: 2, used: 2, setting: 'SEARCH_QUOTA_RUNNING' },
    });
    expect(await count(a)).toBe(2);
    await create(b).expect(201);
    await h.request.post(`/searches/${first}/cancel`).set('authorization', a).expect(200);
    await create(a).expect(201);
    await create(a).expect(409);
    expect(await count(a)).toBe(3);
  });

  it('counts a finished search while a retrain of it waits or runs', async () => {
    const tenant = 'c';
    const c = `Bearer ${(await h.core.apiKeys.create({ tenant, name: 'k' })).key}`;
    const ids = [(await create(c).expect(201)).body.id as string, (await create(c).expect(201)).body.id as string];
    expect(await h.core.store.countUnfinishedSearches(tenant)).toBe(2);
    // The first one completes (its trials ended) with a retrain trial left waiting, as POST /retrain leaves it.
    const [id] = ids;
    for (const t of await h.core.store.listTrials(id)) await moveTrial(h.core.store, t.id, 'cancelled', { finishedAt: new Date() }, 'waiting');
    const s = (await h.core.store.getSearch(id))!;
    const retrainTrial = { id: randomUUID(), number: 99, hyperparameters: {}, source: 'retrain' as const };
    expect(await h.core.store.commitSchedule(id, s.version, { status: 'completed', finishedAt: new Date() }, [retrainTrial])).toBe(true);
    expect(await h.core.store.countUnfinishedSearches(tenant)).toBe(2);
    await create(c).expect(409);
    await moveTrial(h.core.store, retrainTrial.id, 'running', { attempts: 1, startedAt: new Date() });
    await create(c).expect(409);
    await moveTrial(h.core.store, retrainTrial.id, 'completed', { finishedAt: new Date() });
    expect(await h.core.store.countUnfinishedSearches(tenant)).toBe(1);
    await create(c).expect(201);
  });
});

describe('the running-searches quota with authentication off', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('sqlite', { SEARCH_QUOTA_RUNNING: '1' }); });
  afterAll(async () => { await h?.close(); });

  it('applies to the one embedded user as to a tenant', async () => {
    await h.request.post('/searches').send(microSearch()).expect(201);
    expect((await h.request.post('/searches').send(microSearch()).expect(409)).body.error.details).toMatchObject({ limit: 1, used: 1 });
    expect(await h.core.store.countUnfinishedSearches(null)).toBe(1);
  });
});
