// Thousands of generated bad requests against the real app (authentication on, SQLite, Redis):
// every one must get a 4xx in the contract's error shape, never a 5xx, with nothing written to
// the database or the queue, and the process must keep answering afterwards. The whole run is on
// SQLite; a quarter of it again on PostgreSQL, which refuses text SQLite takes (NUL, lone surrogates).
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/store/migrate.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { postgresAvailable, startHarness, type Harness } from '../helpers/harness.js';
import { saveUntrainedModel } from '../helpers/untrained-model.js';
import { badApiKeyBody, badAuthorization, badPredictBody, brokenSearch, hostileId, malformedBody, randomSearch } from './fuzz-arbitraries.js';

const ADMIN = `admin-${'k'.repeat(40)}`;
const BACKENDS = [{ db: 'sqlite' as const, share: 1 }, ...(await postgresAvailable() ? [{ db: 'postgres' as const, share: 0.25 }] : [])];

describe.each(BACKENDS)('fuzzing the API with bad requests on $db', ({ db: backend, share }) => {
  let h: Harness;
  let tables: () => Promise<Record<string, number>>;
  let closeDb: () => Promise<void>;
  let tenant: string;
  let searchId: string;
  let modelId: string;

  interface Sent { method: 'GET' | 'POST' | 'DELETE'; url: string; payload?: string; contentType?: string; authorization?: string }

  async function send(req: Sent) {
    const headers: Record<string, string> = {};
    if (req.authorization !== undefined) headers.authorization = req.authorization;
    if (req.contentType !== undefined) headers['content-type'] = req.contentType;
    else if (req.payload !== undefined) headers['content-type'] = 'application/json';
    return h.app.inject({ method: req.method, url: req.url, payload: req.payload, headers });
  }

  /** Rows in every table, and jobs in the queue: what a rejected request must leave alone. */
  async function snapshot() {
    return { rows: await tables(), jobs: await h.core.queue.counts() };
  }

  /** Counts rows per table with the plain driver, beside the app's own connection. */
  async function openCounter(): Promise<void> {
    const target = parseDatabaseUrl(h.config.databaseUrl);
    if (target.provider === 'sqlite') {
      const db = new Database(target.path, { readonly: true, fileMustExist: true });
      const names = () => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((r) => r.name);
      tables = async () => Object.fromEntries(names().map((n) => [n, (db.prepare(`SELECT count(*) AS n FROM "${n}"`).get() as { n: number }).n]));
      closeDb = async () => { db.close(); };
    } else {
      const client = new pg.Client({ connectionString: target.connectionString });
      await client.connect();
      tables = async () => {
        const { rows } = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [target.schema]);
        const counts = await Promise.all(rows.map(async ({ table_name: n }) => [n, Number((await client.query(`SELECT count(*) AS n FROM "${target.schema}"."${n}"`)).rows[0].n)]));
        return Object.fromEntries(counts);
      };
      closeDb = () => client.end();
    }
  }

  /** The invariant: 4xx in the error shape, no internals in it, nothing written; `ok` statuses may pass instead. */
  const statuses = new Map<number, number>();
  async function expectRejected(req: Sent, ok: number[] = []) {
    const before = await snapshot();
    const res = await send(req);
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    const what = `${req.method} ${req.url.slice(0, 200)} ${req.payload?.slice(0, 300) ?? ''} → ${res.statusCode} ${res.payload.slice(0, 500)}`;
    if (ok.includes(res.statusCode)) return res;
    expect(res.statusCode, what).toBeGreaterThanOrEqual(400);
    expect(res.statusCode, what).toBeLessThan(500);
    const body = res.json();
    expect(body, what).toEqual({ error: expect.objectContaining({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) }) });
    expect(body.error.message.length, what).toBeGreaterThan(0);
    expect(res.payload, what).not.toMatch(/node_modules|\/work\/|\/src\/|\bat .*\.(ts|js):\d+|stack/);
    expect(await snapshot(), what).toEqual(before);
    return res;
  }

  const runs = (n: number) => ({ numRuns: Math.ceil(n * share), endOnFailure: true });
  const asTenant = (req: Omit<Sent, 'authorization'>): Sent => ({ ...req, authorization: `Bearer ${tenant}` });

  beforeAll(async () => {
    h = await startHarness(backend, { ADMIN_API_KEY: ADMIN, BODY_LIMIT_BYTES: '65536', MAX_PREDICT_INSTANCES: '4' });
    await openCounter();
    const key = await h.request.post('/api-keys').set('authorization', `Bearer ${ADMIN}`).send({ tenant: 'fuzz', name: 'fuzzer' }).expect(201);
    tenant = key.body.key;
    const search = await h.request.post('/searches').set('authorization', `Bearer ${tenant}`).send(tinySearch()).expect(201);
    searchId = search.body.id;
    modelId = await saveUntrainedModel(h.core.store, searchId);
  }, 60_000);
  afterAll(async () => {
    console.log(`fuzz on ${backend}: ${[...statuses.values()].reduce((a, b) => a + b, 0)} requests, by status: ${JSON.stringify(Object.fromEntries(statuses))}`);
    await closeDb?.();
    await h?.close();
  });

    it('POST /searches: a broken notebook search is refused, naming what is wrong', async () => {
      await fc.assert(fc.asyncProperty(brokenSearch, async (payload) => {
        await expectRejected(asTenant({ method: 'POST', url: '/searches', payload }), [201]);
      }), runs(1000));
    }, 60_000);

    it('POST /searches: random search spaces and templates are refused or accepted, never a 5xx', async () => {
      await fc.assert(fc.asyncProperty(randomSearch, async (payload) => {
        await expectRejected(asTenant({ method: 'POST', url: '/searches', payload }), [201]);
      }), runs(800));
    }, 60_000);

    it('POST /models/:id/predict: wrong shapes, bad pixels and too many instances are 400s', async () => {
      await fc.assert(fc.asyncProperty(badPredictBody, async (payload) => {
        await expectRejected(asTenant({ method: 'POST', url: `/models/${modelId}/predict`, payload }));
      }), runs(600));
    }, 60_000);

    it('unknown and hostile ids in every route are 4xx, never a file or a 5xx', async () => {
      const routes = (id: string): Sent[] => [
        asTenant({ method: 'GET', url: `/searches/${id}` }),
        asTenant({ method: 'GET', url: `/searches/${id}/trials` }),
        asTenant({ method: 'POST', url: `/searches/${id}/cancel` }),
        asTenant({ method: 'GET', url: `/models/${id}` }),
        asTenant({ method: 'POST', url: `/models/${id}/predict`, payload: JSON.stringify({ instances: [[[0]]] }) }),
        { method: 'DELETE', url: `/api-keys/${id}`, authorization: `Bearer ${ADMIN}` },
      ];
      await fc.assert(fc.asyncProperty(hostileId, fc.nat(5), async (id, route) => {
        const req = routes(id)[route];
        // `/models/..` is `/` to a URL parser (the injected request's included): the public dashboard page, no file, no data.
        if (req.method === 'GET' && new URL(req.url, 'http://h').pathname === '/') {
          const res = await send(req);
          expect(res.headers['content-type']).toMatch(/^text\/html/);
          expect(res.payload).toMatch(/^<!doctype html>/i);
          return;
        }
        await expectRejected(req);
      }), runs(900));
    }, 60_000);

    it('malformed, mistyped and oversized bodies are 4xx', async () => {
      const targets: Sent[] = [
        asTenant({ method: 'POST', url: '/searches' }),
        asTenant({ method: 'POST', url: `/models/${modelId}/predict` }),
        { method: 'POST', url: '/api-keys', authorization: `Bearer ${ADMIN}` },
      ];
      await fc.assert(fc.asyncProperty(malformedBody, fc.nat(2), async ({ contentType, payload }, t) => {
        await expectRejected({ ...targets[t], payload, contentType });
      }), runs(600));
    }, 60_000);

    it('POST /api-keys: bad tenants and names (traversal included) are 400s', async () => {
      await fc.assert(fc.asyncProperty(badApiKeyBody, async (payload) => {
        await expectRejected({ method: 'POST', url: '/api-keys', payload, authorization: `Bearer ${ADMIN}` });
      }), runs(300));
    }, 60_000);

    it('missing, malformed and unknown keys are 401s on every route', async () => {
      const urls = ['/searches', `/searches/${searchId}`, `/models/${modelId}`, '/api-keys', '/nothing-here'];
      await fc.assert(fc.asyncProperty(badAuthorization, fc.nat(4), async (authorization, u) => {
        const res = await expectRejected({ method: 'GET', url: urls[u], authorization });
        expect(res.statusCode).toBe(401);
      }), runs(500));
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
      const res = await send(asTenant({ method: 'POST', url: '/searches', payload: JSON.stringify(search) }));
      expect(res.statusCode, res.payload).toBe(201);
      expect(res.json().trials.total).toBe(64);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('is still up and serving afterwards', async () => {
      expect((await send({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      const res = await send(asTenant({ method: 'GET', url: `/searches/${searchId}` }));
      expect(res.statusCode).toBe(200);
    });
});
