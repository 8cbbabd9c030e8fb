// Thousands of generated bad requests against the real app (authentication on, Redis, SQLite and
// PostgreSQL): each class of request (test/routes/fuzz-classes.ts) must get its exact status, error
// code and field, in the contract's error shape with no internals, and leave every table's rows and
// every queued job exactly as they were (test/routes/fuzz-tables.ts). Valid searches are generated
// too, and every 201 checked (test/routes/fuzz-searches.ts). The whole run is on SQLite; a quarter of
// it again on PostgreSQL, which is required where CI is (test/helpers/requirements.ts).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeBodyLimit } from '../../src/plugins/body-limits.js';
import { MAX_JSON_DEPTH } from '../../src/plugins/json-body.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { postgresAvailable, startHarness, type Harness } from '../helpers/harness.js';
import { saveUntrainedModel } from '../helpers/untrained-model.js';
import { BODY_ROUTE_URLS, CLASSES, type Case, type FuzzContext, type Sent } from './fuzz-classes.js';
import { createAndCheck, validSearch } from './fuzz-searches.js';
import { openTables, without, type TableReader } from './fuzz-tables.js';

const ADMIN = `admin-${'k'.repeat(40)}`;
// BODY_LIMIT_BYTES is the ceiling; each body route's own limit (the body-limits plugin's) is ctx.bodyLimit.
const BODY_LIMIT = 65536;
const MAX_INSTANCES = 4;
const BACKENDS = [{ db: 'sqlite' as const, share: 1 }, ...(await postgresAvailable() ? [{ db: 'postgres' as const, share: 0.25 }] : [])];
const LEAK = /node_modules|\/work\/|\/src\/|\bat .*\.(ts|js):\d+|stack/;

describe.each(BACKENDS)('fuzzing the API on $db', ({ db: backend, share }) => {
  let h: Harness;
  let tables: TableReader;
  let ctx: FuzzContext;
  const statuses = new Map<number, number>();

  const send = (req: Sent) => {
    const headers: Record<string, string> = {};
    if (req.authorization !== undefined) headers.authorization = req.authorization;
    if (req.contentType !== undefined) headers['content-type'] = req.contentType;
    else if (req.payload !== undefined) headers['content-type'] = 'application/json';
    return h.app.inject({ method: req.method, url: req.url, payload: req.payload, headers });
  };

  /** The exact answer, in the error shape, naming the field (details.field, and the message's prefix). */
  async function expectAnswer({ req, expect: want }: Case) {
    const res = await send(req);
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    const what = `${req.method} ${req.url.slice(0, 200)} ${req.payload?.slice(0, 300) ?? ''} → ${res.statusCode} ${res.payload.slice(0, 500)}`;
    const body = res.json();
    expect(body, what).toEqual({ error: expect.objectContaining({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) }) });
    const { code, message, details } = body.error;
    const field = want.field === undefined ? undefined : (details?.field ?? /^([^\s:]+):/.exec(message)?.[1]);
    expect({ status: res.statusCode, code, field }, what).toEqual({ status: want.status, code: want.code, field: want.field });
    if (details?.field !== undefined) expect(message.startsWith(`${details.field}: `), what).toBe(true);
    expect(res.payload, what).not.toMatch(LEAK);
  }

  const runs = (n: number) => ({ numRuns: Math.max(10, Math.ceil(n * share)), endOnFailure: true });

  beforeAll(async () => {
    h = await startHarness(backend, { ADMIN_API_KEY: ADMIN, BODY_LIMIT_BYTES: String(BODY_LIMIT), MAX_PREDICT_INSTANCES: String(MAX_INSTANCES) });
    tables = await openTables(h);
    const bodySettings = { ceiling: h.config.bodyLimitBytes, search: h.config.searchBodyLimits, maxPredictInstances: MAX_INSTANCES };
    const tenantWith = async (tenant: string) => {
      const key = (await h.request.post('/api-keys').set('authorization', `Bearer ${ADMIN}`).send({ tenant, name: 'fuzzer' }).expect(201)).body.key as string;
      const searchId = (await h.request.post('/searches').set('authorization', `Bearer ${key}`).send(tinySearch()).expect(201)).body.id as string;
      return { key, searchId, modelId: await saveUntrainedModel(h.core.store, searchId) };
    };
    const mine = await tenantWith('fuzz');
    const other = await tenantWith('other');
    ctx = {
      tenant: mine.key, admin: ADMIN, searchId: mine.searchId, modelId: mine.modelId, otherSearchId: other.searchId, otherModelId: other.modelId,
      limits: h.config.limits, bodyLimit: (route) => routeBodyLimit('POST', BODY_ROUTE_URLS[route], bodySettings)!.bytes, maxInstances: MAX_INSTANCES, maxJsonDepth: MAX_JSON_DEPTH,
    };
  }, 60_000);
  afterAll(async () => {
    console.log(`fuzz on ${backend}: ${[...statuses.values()].reduce((a, b) => a + b, 0)} requests, by status: ${JSON.stringify(Object.fromEntries(statuses))}`);
    await tables?.close();
    await h?.close();
  });

  it.each(CLASSES)('$name', async ({ runs: n, cases }) => {
    const before = await tables.snapshot();
    await fc.assert(fc.asyncProperty(cases(ctx), expectAnswer), runs(n));
    expect(await tables.snapshot()).toEqual(before);
  }, 60_000);

  it('valid searches: every 201 reads back as sent (normalized), has its jobs queued, and cancels', async () => {
    const before = await tables.snapshot();
    const created: string[] = [];
    await fc.assert(fc.asyncProperty(validSearch, async (req) => {
      created.push(await createAndCheck(h, `Bearer ${ctx.tenant}`, req));
      statuses.set(201, (statuses.get(201) ?? 0) + 1);
    }), runs(80));
    // Nothing but the created searches' rows (searches, trials) changed.
    expect(without(await tables.snapshot(), created)).toEqual(before);
    expect(created.length).toBe(Math.max(10, Math.ceil(80 * share)));
  }, 60_000);

  // Once 13 s (every corner of 100 layers) and minutes (a grid step listing 100 ranges of 100,000 values).
  it.each(['random', 'grid', 'bayesian'] as const)('creates an enormous %s search in bounded time', async (name) => {
    const search = tinySearch({ algorithm: { name }, budget: { maxTrials: 1000, maxParallelTrials: 64 } });
    search.hyperparameters = Array.from({ length: 100 }, (_, i) => (i % 2
      ? { name: `h${i}`, type: 'choice' as const, values: Array.from({ length: 40 }, (_, v) => 8 + v) }
      : { name: `h${i}`, type: 'int' as const, min: 1, max: 100_000 }));
    const dense = search.hyperparameters.filter((hp) => hp.type === 'choice').map((hp) => ({ type: 'dense' as const, units: { hp: hp.name }, activation: 'relu' as const }));
    search.model.layers = [{ type: 'flatten' }, ...dense.slice(1), ...dense.slice(1), { type: 'dense', units: 10, activation: 'softmax' }];
    search.model.optimizer = { type: 'adam' };
    const started = Date.now();
    const res = await send({ method: 'POST', url: '/searches', payload: JSON.stringify(search), authorization: `Bearer ${ctx.tenant}` });
    expect(res.statusCode, res.payload).toBe(201);
    expect(res.json().trials.total).toBe(64);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('is still up and serving afterwards', async () => {
    expect((await send({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await send({ method: 'GET', url: `/searches/${ctx.searchId}`, authorization: `Bearer ${ctx.tenant}` })).statusCode).toBe(200);
  });
});
