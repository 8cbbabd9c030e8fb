// GET /searches/:id/importance through the real app on PostgreSQL and Redis: trials are recorded
// through the store as the scheduler and workers would (no training: the values are chosen, so the
// hyperparameter that matters is known), and the answer, its objective and its refusals are checked.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HpValues } from '../../src/domain/hyperparameters.js';
import { mulberry32 } from '../../src/domain/rng.js';
import { normalizeSpec } from '../../src/domain/search-spec.js';
import { microSearch } from '../fixtures/micro-search.js';
import { postgresAvailable, startHarness, type Harness } from '../helpers/harness.js';

const ADMIN = 'admin-key-for-importance-tests-0123456789';
let h: Harness | undefined;
const key: Record<string, string> = {};
const as = (tenant: string) => ({ authorization: `Bearer ${key[tenant]}` });

beforeAll(async () => {
  if (!(await postgresAvailable())) return;
  h = await startHarness('postgres', { ADMIN_API_KEY: ADMIN });
  for (const tenant of ['alpha', 'beta'])
    key[tenant] = (await h.request.post('/api-keys').set({ authorization: `Bearer ${ADMIN}` }).send({ tenant, name: tenant }).expect(201)).body.key;
}, 60_000);
afterAll(async () => { await h?.close(); }, 60_000);

const SPACE = microSearch({
  hyperparameters: [
    { name: 'dropout', type: 'float', min: 0, max: 0.5 },
    { name: 'optimizer', type: 'choice', values: ['adam', 'sgd', 'rmsprop'] },
    { name: 'units', type: 'int', min: 1, max: 64, sampling: 'log' },
  ],
});

interface Seeded { values: HpValues; status?: 'completed' | 'failed'; source?: 'oracle' | 'retrain'; valAccuracy?: number; valLoss?: number }

/**
 * A search of `tenant` with these trials, recorded through the store: each moved to running and
 * then to its final state with its objective value (val_accuracy) and one epoch's metrics.
 */
async function seedSearch(tenant: string, trials: Seeded[]): Promise<string> {
  const store = h!.core.store;
  const search = await store.createSearch({ id: randomUUID(), name: 'importance', spec: normalizeSpec(SPACE, () => 1), tenant });
  const rows = trials.map((t, i) => ({ id: randomUUID(), number: i + 1, hyperparameters: t.values, source: t.source ?? 'oracle' }));
  expect(await store.commitSchedule(search.id, search.version, { status: 'running' }, rows)).toBe(true);
  for (const [i, t] of trials.entries()) {
    const { id } = rows[i];
    expect(await store.updateTrialIf(id, ['waiting'], { status: 'running', startedAt: new Date(), attempts: 1 })).toBe(true);
    const valAccuracy = t.valAccuracy ?? 0.5;
    await store.recordEpoch({ trialId: id, epoch: 1, loss: 1, accuracy: 0.5, valLoss: t.valLoss ?? 1, valAccuracy, durationMs: 5 });
    const done = t.status === 'failed' ? { status: 'failed' as const, error: 'boom' } : { status: 'completed' as const, valAccuracy, value: valAccuracy };
    expect(await store.updateTrialIf(id, ['running'], { ...done, finishedAt: new Date() })).toBe(true);
  }
  return search.id;
}

/**
 * 40 trials where val_accuracy depends strongly on dropout and not on the rest, and val_loss
 * only on the optimizer; plus a failed trial and a retrain, which must not count.
 */
function history(): Seeded[] {
  const rand = mulberry32(42);
  const trials: Seeded[] = Array.from({ length: 40 }, () => {
    const values = { dropout: 0.5 * rand(), optimizer: ['adam', 'sgd', 'rmsprop'][Math.floor(rand() * 3)], units: 2 ** Math.floor(rand() * 7) };
    return { values, valAccuracy: 0.9 - Number(values.dropout) + 0.01 * rand(), valLoss: (values.optimizer === 'sgd' ? 0.2 : 1) + 0.01 * rand() };
  });
  trials.push({ values: { dropout: 0.01, optimizer: 'adam', units: 8 }, status: 'failed' });
  trials.push({ values: trials[0].values, source: 'retrain', valAccuracy: 0.99 });
  return trials;
}

const sum = (xs: { importance: number }[]) => xs.reduce((s, x) => s + x.importance, 0);

describe('GET /searches/:id/importance', () => {
  it('ranks the hyperparameter the objective depends on first; shares sum to 1', async (ctx) => {
    if (!h) return ctx.skip();
    const id = await seedSearch('alpha', history());
    const { body } = await h.request.get(`/searches/${id}/importance`).set(as('alpha')).expect(200);
    expect(body).toMatchObject({ searchId: id, objective: { metric: 'val_accuracy', direction: 'max' }, method: 'ped-anova', baselineQuantile: 0.1, trials: 40 });
    expect(body.reason).toBeUndefined();
    expect(body.importances.map((i: { name: string }) => i.name).sort()).toEqual(['dropout', 'optimizer', 'units']);
    expect(body.importances[0]).toMatchObject({ name: 'dropout', trials: 40 });
    expect(body.importances[0].importance).toBeGreaterThan(0.5);
    expect(sum(body.importances)).toBeCloseTo(1, 9);
  });

  it('?objective= explains another metric, in its own direction', async (ctx) => {
    if (!h) return ctx.skip();
    const id = await seedSearch('alpha', history());
    const { body } = await h.request.get(`/searches/${id}/importance?objective=val_loss`).set(as('alpha')).expect(200);
    expect(body).toMatchObject({ objective: { metric: 'val_loss', direction: 'min' }, trials: 40 });
    expect(body.importances[0].name).toBe('optimizer');
    const bad = await h.request.get(`/searches/${id}/importance?objective=f1`).set(as('alpha')).expect(400);
    expect(JSON.stringify(bad.body.error)).toMatch(/objective/);
    expect((await h.request.get(`/searches/${id}/importance?x=1`).set(as('alpha')).expect(400)).body.error.message).toMatch(/x/);
  });

  it('answers 200 with no importances and the reason below 3 completed trials', async (ctx) => {
    if (!h) return ctx.skip();
    const id = await seedSearch('alpha', history().slice(0, 2));
    const { body } = await h.request.get(`/searches/${id}/importance`).set(as('alpha')).expect(200);
    expect(body).toMatchObject({ trials: 2, importances: [] });
    expect(body.reason).toMatch(/at least 3 completed trials/);
  });

  it("is 404 for an unknown search and for another tenant's, alike", async (ctx) => {
    if (!h) return ctx.skip();
    const id = await seedSearch('alpha', history().slice(0, 3));
    const other = await h.request.get(`/searches/${id}/importance`).set(as('beta')).expect(404);
    const unknown = await h.request.get('/searches/no-such-search/importance').set(as('beta')).expect(404);
    expect(other.body.error.code).toBe('NOT_FOUND');
    expect(Object.keys(other.body.error)).toEqual(Object.keys(unknown.body.error));
    await h.request.get(`/searches/${id}/importance`).expect(401);
  });

  it('is documented in OpenAPI with its query and answer', async (ctx) => {
    if (!h) return ctx.skip();
    const { body } = await h.request.get('/docs/json').expect(200);
    const op = body.paths['/searches/{id}/importance'].get;
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['id', 'objective']));
    expect(JSON.stringify(op.responses['200'])).toContain('importances');
  });
});
