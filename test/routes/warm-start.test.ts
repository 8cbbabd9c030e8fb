// POST /searches/:id/trials (warm start, Optuna's enqueue_trial) on the real app, database and
// Redis: every refusal names its field or says why the search cannot take them, and accepted
// configurations are the next trials the search runs, with source 'user', on a real worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HpValues } from '../../src/domain/hyperparameters.js';
import { microSearch } from '../fixtures/micro-search.js';
import { startHarness, waitFor, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); }, 60_000);

const warmStart = (id: string, configs: HpValues[]) =>
  h.request.post(`/searches/${id}/trials`).send({ trials: configs.map((hyperparameters) => ({ hyperparameters })) });

async function rejected(id: string, configs: HpValues[], status: number) {
  const res = await warmStart(id, configs);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body.error as { code: string; message: string; details?: { field: string; reason: string } };
}

/** A search with no worker: its first trial waits, so nothing changes under the test. */
async function idleSearch(maxTrials = 3) {
  const { body } = await h.request.post('/searches').send(microSearch({ budget: { maxTrials, maxParallelTrials: 1 } })).expect(201);
  const [first] = await h.core.store.listTrials(body.id);
  return { id: body.id as string, first };
}

/** Every combination of microSearch's space not equal to `except`. */
function otherConfigs(except: HpValues): HpValues[] {
  const all: HpValues[] = [];
  for (const filters of [4, 8]) for (const units of [8, 16, 32]) for (const learning_rate of [0.01, 0.003]) all.push({ filters, units, learning_rate });
  return all.filter((c) => JSON.stringify(c) !== JSON.stringify({ filters: except.filters, units: except.units, learning_rate: except.learning_rate }));
}

describe('POST /searches/:id/trials refusals', () => {
  it('is documented in OpenAPI with its body, as is POST /searches/:id/retrain', async () => {
    const { body } = await h.request.get('/docs/json').expect(200);
    expect(JSON.stringify(body.paths['/searches/{id}/trials'].post.requestBody)).toContain('hyperparameters');
    expect(Object.keys(body.paths['/searches/{id}/trials'].post.responses)).toContain('202');
    expect(JSON.stringify(body.paths['/searches/{id}/retrain'].post.requestBody)).toContain('epochs');
  });

  it('404 for an unknown search', async () => {
    expect((await rejected('no-such-search', [{ filters: 4, units: 8, learning_rate: 0.01 }], 404)).code).toBe('NOT_FOUND');
  });

  it('400 naming the field for a bad body shape', async () => {
    const { id } = await idleSearch();
    const empty = await h.request.post(`/searches/${id}/trials`).send({ trials: [] }).expect(400);
    expect(empty.body.error.details.field).toBe('trials');
    const extra = await h.request.post(`/searches/${id}/trials`).send({ trials: [{ hyperparameters: {}, epochs: 3 }] }).expect(400);
    expect(extra.body.error.details.field).toBe('trials[0]');
  });

  it('400 naming trials[i].hyperparameters.<name> for values outside the space', async () => {
    const { id, first } = await idleSearch();
    const [a] = otherConfigs(first.hyperparameters);
    const missing = await rejected(id, [a, { filters: a.filters, units: a.units }], 400);
    expect(missing.details).toEqual({ field: 'trials[1].hyperparameters.learning_rate', reason: 'is missing' });
    const outside = await rejected(id, [{ ...a, units: 64 }], 400);
    expect(outside.details?.field).toBe('trials[0].hyperparameters.units');
    const unknown = await rejected(id, [{ ...a, dropout: 0.5 }], 400);
    expect(unknown.details?.field).toBe('trials[0].hyperparameters.dropout');
    expect((await h.core.store.getSearch(id))?.pendingTrials).toEqual([]);
  });

  it('400 naming the index for a duplicate of another warm start, of a trial, or of a queued one', async () => {
    const { id, first } = await idleSearch(4);
    const [a, b, c] = otherConfigs(first.hyperparameters);
    const twice = await rejected(id, [a, b, { ...a }], 400);
    expect(twice.details).toEqual({ field: 'trials[2].hyperparameters', reason: 'duplicates trials[0]' });
    const tried = await rejected(id, [a, first.hyperparameters], 400);
    expect(tried.details).toEqual({ field: 'trials[1].hyperparameters', reason: 'was already tried by trial 1' });
    await warmStart(id, [a]).expect(202);
    const queued = await rejected(id, [b, c, a], 400);
    expect(queued.details).toEqual({ field: 'trials[2].hyperparameters', reason: 'is already queued by an earlier warm start' });
  });

  it('409 beyond the configurations budget.maxTrials has left, counting queued ones', async () => {
    const { id, first } = await idleSearch(3); // trial 1 exists: 2 left
    const [a, b, c] = otherConfigs(first.hyperparameters);
    const over = await rejected(id, [a, b, c], 409);
    expect(over.message).toMatch(/room for 2 more/);
    await warmStart(id, [a]).expect(202);
    expect((await rejected(id, [b, c], 409)).message).toMatch(/room for 1 more/);
    const ok = await warmStart(id, [b]).expect(202);
    expect(ok.body).toMatchObject({ id, status: 'queued', trials: { total: 1 } });
    expect((await h.core.store.getSearch(id))?.pendingTrials).toEqual([a, b]);
  });

  it('409 once the search is finished', async () => {
    const { id, first } = await idleSearch();
    await h.request.post(`/searches/${id}/cancel`).expect(200);
    const [a] = otherConfigs(first.hyperparameters);
    expect((await rejected(id, [a], 409)).message).toMatch(/already cancelled/);
    expect((await h.core.store.getSearch(id))?.pendingTrials).toEqual([]);
  });

  it('409 once budget.maxDurationSeconds has passed: no trial starts later', async () => {
    const { body } = await h.request.post('/searches').send(microSearch({ budget: { maxTrials: 3, maxParallelTrials: 1, maxDurationSeconds: 1 } })).expect(201);
    const [first] = await h.core.store.listTrials(body.id);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await rejected(body.id, [otherConfigs(first.hyperparameters)[0]], 409)).message).toMatch(/past budget.maxDurationSeconds \(1\)/);
  });
});

describe('warm start end to end', () => {
  it('runs the given configurations next, in order, as source "user" trials', async () => {
    const { id, first } = await idleSearch(3);
    const [a, b] = otherConfigs(first.hyperparameters).reverse();
    // maxParallelTrials 1 and trial 1 already waiting: they wait as pending until trial 1 ends.
    const accepted = await warmStart(id, [a, b]).expect(202);
    expect(accepted.body.trials.total).toBe(1);
    // The searches of the tests above must not compete for the worker.
    for (const s of await h.core.store.listSearches()) if (s.id !== id && s.status === 'queued') await h.core.searches.cancel(s.id);
    await h.startWorker();
    const search = await waitFor(async () => (await h.request.get(`/searches/${id}`)).body, (s) => s.status === 'completed' || s.status === 'failed', 360_000, 'the search to finish');
    expect(search.status).toBe('completed');
    type T = { number: number; source: string; status: string; hyperparameters: HpValues; startedAt: string; finishedAt: string };
    const { trials } = (await h.request.get(`/searches/${id}/trials`).expect(200)).body as { trials: T[] };
    expect(trials.map((t) => [t.number, t.source, t.status])).toEqual([
      [1, 'oracle', 'completed'], [2, 'user', 'completed'], [3, 'user', 'completed'],
    ]);
    expect(trials[1].hyperparameters).toEqual(a);
    expect(trials[2].hyperparameters).toEqual(b);
    // Each ran after the one before it (one at a time).
    for (let i = 1; i < trials.length; i++) expect(Date.parse(trials[i].startedAt)).toBeGreaterThanOrEqual(Date.parse(trials[i - 1].finishedAt));
    expect((await h.core.store.getSearch(id))?.pendingTrials).toEqual([]);
  }, 400_000);
});

describe('tenant scoping of the workflow endpoints', () => {
  const ADMIN = `admin-key-${'w'.repeat(32)}`;
  let ht: Harness;
  afterAll(async () => { await ht?.close(); }, 60_000);

  it("answers 404 for another tenant's search, as for one that does not exist", async () => {
    ht = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN });
    const keys: Record<string, string> = {};
    for (const tenant of ['alpha', 'beta'])
      keys[tenant] = (await ht.request.post('/api-keys').set({ authorization: `Bearer ${ADMIN}` }).send({ tenant, name: tenant }).expect(201)).body.key;
    const as = (tenant: string) => ({ authorization: `Bearer ${keys[tenant]}` });
    const { body } = await ht.request.post('/searches').set(as('alpha')).send(microSearch({ budget: { maxTrials: 3, maxParallelTrials: 1 } })).expect(201);
    const [first] = await ht.core.store.listTrials(body.id);
    const [a] = otherConfigs(first.hyperparameters);
    const trials = { trials: [{ hyperparameters: a }] };
    expect((await ht.request.post(`/searches/${body.id}/trials`).set(as('beta')).send(trials).expect(404)).body.error.code).toBe('NOT_FOUND');
    expect((await ht.request.post(`/searches/${body.id}/retrain`).set(as('beta')).send({ epochs: 3 }).expect(404)).body.error.code).toBe('NOT_FOUND');
    await ht.request.post(`/searches/${body.id}/trials`).send(trials).expect(401);
    await ht.request.post(`/searches/${body.id}/trials`).set(as('alpha')).send(trials).expect(202);
    expect((await ht.core.store.getSearch(body.id))?.pendingTrials).toEqual([a]);
  });
});
