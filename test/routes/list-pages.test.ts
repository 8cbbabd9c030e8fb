// The paging contract of every list over HTTP (GET /searches, /searches/:id/trials, /datasets,
// /api-keys): ?limit= page sizes, a nextCursor walk that returns every item exactly once, 400s
// naming `cursor`, `limit` or the unknown parameter, and tenants kept apart page after page; on
// SQLite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeSpec } from '../../src/domain/search-spec.js';
import type { PrismaStore } from '../../src/store/prisma-store.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { postgresAvailable, startHarness, type Harness } from '../helpers/harness.js';

const ADMIN = `admin-key-${'p'.repeat(32)}`;
const BACKENDS = ['sqlite' as const, ...(await postgresAvailable() ? ['postgres' as const] : [])];
const TRIALS = 7;

let h: Harness;
const keys: Record<string, string> = {};
const as = (who: string) => ({ authorization: `Bearer ${who === 'admin' ? ADMIN : keys[who]}` });
/** Each tenant's search ids, and alpha's search with trials. */
let mine: Record<string, string[]>;
let uploads: Record<string, string[]>;
let withTrials: string;

/** Every item of a list, walking nextCursor with `limit` per page; the pages' sizes too. */
type Item = { id: string; number?: number; createdAt: string | null };
async function walk(path: string, key: string, who: string, limit: number): Promise<{ ids: string[]; sizes: number[]; numbers: number[]; items: Item[] }> {
  const out = { ids: [] as string[], sizes: [] as number[], numbers: [] as number[], items: [] as Item[] };
  let cursor: string | null = null;
  do {
    const query: Record<string, string> = { limit: String(limit), ...(cursor === null ? {} : { cursor }) };
    const { body } = await h.request.get(path).query(query).set(as(who)).expect(200);
    const items = body[key] as Item[];
    out.items.push(...items);
    out.ids.push(...items.map((i) => i.id));
    out.numbers.push(...items.flatMap((i) => (i.number === undefined ? [] : [i.number])));
    out.sizes.push(items.length);
    cursor = body.nextCursor;
    expect(cursor === null || typeof cursor === 'string').toBe(true);
  } while (cursor !== null);
  return out;
}

/** Items in (createdAt, id) order, ascending or descending: the keyset order every time-ordered list follows. */
const inOrder = (items: Item[], dir: 1 | -1) => [...items]
  .sort((a, b) => dir * (Date.parse(a.createdAt ?? '1970-01-01T00:00:00Z') - Date.parse(b.createdAt ?? '1970-01-01T00:00:00Z') || (a.id < b.id ? -1 : 1)))
  .map((i) => i.id);

const expectError = async (path: string, query: Record<string, string>, field: string, who = 'alpha') => {
  const { body } = await h.request.get(path).query(query).set(as(who)).expect(400);
  expect(body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field } });
  expect(body.error.message).toContain(field);
};

describe.each(BACKENDS)('lists on %s', (db) => {
  beforeAll(async () => {
    mine = { alpha: [], beta: [] };
    uploads = { alpha: [], beta: [] };
    h = await startHarness(db, { ADMIN_API_KEY: ADMIN });
    for (const tenant of ['alpha', 'beta']) keys[tenant] = (await h.request.post('/api-keys').set(as('admin')).send({ tenant, name: tenant }).expect(201)).body.key;
    for (let i = 0; i < 3; i++) await h.request.post('/api-keys').set(as('admin')).send({ tenant: 'gamma', name: `g${i}` }).expect(201);
    // Stored directly (the API would validate and schedule each): what is listed, not how it came.
    const spec = normalizeSpec(tinySearch(), () => 1);
    for (const [tenant, n] of [['alpha', 55], ['beta', 4]] as const) {
      for (let i = 0; i < n; i++) mine[tenant].push((await h.core.store.createSearch({ id: randomUUID(), name: `${tenant}-${i}`, spec, tenant })).id);
    }
    withTrials = mine.alpha[0];
    const hyperparameters = { units: 8 };
    await h.core.store.commitSchedule(withTrials, 0, { status: 'running' }, Array.from({ length: TRIALS }, (_, i) => ({ id: randomUUID(), number: i + 1, hyperparameters })));
    const datasets = (h.core.store as PrismaStore).datasets();
    const blobs = { images: new Uint8Array(4), labels: new Uint8Array(1) };
    for (const [tenant, n] of [['alpha', 5], ['beta', 1]] as const) {
      for (let i = 0; i < n; i++) {
        const record = { id: randomUUID(), tenant, name: `${tenant}-${i}`, format: 'csv' as const, inputShape: [2, 2, 1] as [number, number, number], numClasses: 2, labels: ['a', 'b'], trainSize: 1, testSize: 0, pixelMax: 255 };
        uploads[tenant].push((await datasets.createDataset(record, { train: blobs, test: blobs })).id);
      }
    }
  }, 120_000);
  afterAll(async () => { await h?.close(); });

  describe('GET /searches', () => {
    it('answers 50 summaries by default, then the rest after nextCursor', async () => {
      const first = (await h.request.get('/searches').set(as('alpha')).expect(200)).body;
      expect(first.searches).toHaveLength(50);
      expect(typeof first.nextCursor).toBe('string');
      const second = (await h.request.get('/searches').query({ cursor: first.nextCursor }).set(as('alpha')).expect(200)).body;
      expect(second.searches).toHaveLength(5);
      expect(second.nextCursor).toBeNull();
    });

    it('walks every search of the tenant exactly once, newest first, in pages of ?limit', async () => {
      for (const limit of [1, 7, 200]) {
        const { ids, sizes, items } = await walk('/searches', 'searches', 'alpha', limit);
        expect([...ids].sort()).toEqual([...mine.alpha].sort());
        expect(ids).toEqual(inOrder(items, -1));
        expect(sizes.slice(0, -1).every((n) => n === limit)).toBe(true);
      }
      const { ids } = await walk('/searches', 'searches', 'beta', 3);
      expect(ids.sort()).toEqual([...mine.beta].sort());
    });

    it('never hands another tenant\'s searches over, whichever cursor is passed', async () => {
      const alphaCursor = (await h.request.get('/searches').query({ limit: '1' }).set(as('alpha')).expect(200)).body.nextCursor;
      const { body } = await h.request.get('/searches').query({ cursor: alphaCursor }).set(as('beta')).expect(200);
      expect(body.searches.every((s: { id: string }) => mine.beta.includes(s.id))).toBe(true);
    });
  });

  describe('GET /searches/:id/trials', () => {
    it('walks the trials by number, each once', async () => {
      const { numbers, sizes } = await walk(`/searches/${withTrials}/trials`, 'trials', 'alpha', 3);
      expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(sizes).toEqual([3, 3, 1]);
      const all = (await h.request.get(`/searches/${withTrials}/trials`).set(as('alpha')).expect(200)).body;
      expect(all.trials).toHaveLength(TRIALS);
      expect(all.nextCursor).toBeNull();
    });

    it('is 404 to another tenant, cursor or not', async () => {
      await h.request.get(`/searches/${withTrials}/trials`).set(as('beta')).expect(404);
      const cursor = (await h.request.get(`/searches/${withTrials}/trials`).query({ limit: '2' }).set(as('alpha')).expect(200)).body.nextCursor;
      await h.request.get(`/searches/${withTrials}/trials`).query({ cursor }).set(as('beta')).expect(404);
    });
  });

  describe('GET /datasets and /api-keys', () => {
    it('walk the built-ins, then the tenant\'s uploads oldest first, each once', async () => {
      for (const limit of [1, 2, 50]) {
        const { ids, items } = await walk('/datasets', 'datasets', 'alpha', limit);
        expect([...ids].sort()).toEqual(['fashion-mnist', ...uploads.alpha].sort());
        expect(ids[0]).toBe('fashion-mnist');
        expect(ids).toEqual(inOrder(items, 1));
      }
      expect((await walk('/datasets', 'datasets', 'beta', 1)).ids).toEqual(['fashion-mnist', ...uploads.beta]);
    });

    it('walk every key (admin), oldest first, each once', async () => {
      const { ids, sizes, items } = await walk('/api-keys', 'apiKeys', 'admin', 2);
      expect(ids).toHaveLength(5);
      expect(new Set(ids).size).toBe(5);
      expect(ids).toEqual(inOrder(items, 1));
      expect(sizes).toEqual([2, 2, 1]);
      const all = (await h.request.get('/api-keys').set(as('admin')).expect(200)).body;
      expect(all.apiKeys.map((k: { id: string }) => k.id)).toEqual(ids);
      expect(all.nextCursor).toBeNull();
    });
  });

  describe('bad paging parameters', () => {
    const lists = () => [['/searches', 'alpha'], [`/searches/${withTrials}/trials`, 'alpha'], ['/datasets', 'alpha'], ['/api-keys', 'admin']] as const;

    it('a cursor the list did not give out is a 400 naming cursor', async () => {
      const trialCursor = (await h.request.get(`/searches/${withTrials}/trials`).query({ limit: '1' }).set(as('alpha')).expect(200)).body.nextCursor;
      const searchCursor = (await h.request.get('/searches').query({ limit: '1' }).set(as('alpha')).expect(200)).body.nextCursor;
      for (const [path, who] of lists()) {
        const foreign = path.endsWith('/trials') ? searchCursor : trialCursor;
        for (const cursor of ['garbage', '!!!', Buffer.from('[1]').toString('base64url'), Buffer.from('{"t":"not a date","i":"x"}').toString('base64url'), foreign, 'x'.repeat(600)])
          await expectError(path, { cursor }, 'cursor', who);
      }
    });

    it('a limit outside 1..200 or not a number is a 400 naming limit', async () => {
      for (const [path, who] of lists()) {
        for (const limit of ['0', '201', '999', 'ten', '-1', '1.5', ''])
          await expectError(path, { limit }, 'limit', who);
      }
    });

    it('an unknown query parameter is a 400 naming it', async () => {
      for (const [path, who] of lists()) await expectError(path, { page: '2' }, 'page', who);
      await expectError('/searches', { offset: '10', limit: '5' }, 'offset');
    });
  });
});
