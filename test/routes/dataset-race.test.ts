// DELETE /datasets/:id racing POST /searches on that dataset, on SQLite and PostgreSQL, through
// real HTTP on the real app: "no unfinished search uses it, then delete" and "it exists, then
// insert the search" each run as one transaction on the dataset's row, so after any interleaving
// either the dataset is gone and no search names it, or it exists with every search created on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { PrismaStore } from '../../src/store/prisma-store.js';
import { fashionSample } from '../fixtures/dataset-files.js';
import { microSearch } from '../fixtures/micro-search.js';
import { listen, postgresAvailable, startHarness, type Harness } from '../helpers/harness.js';

const BACKENDS = ['sqlite' as const, ...(await postgresAvailable() ? ['postgres' as const] : [])];
const ROUNDS = 50;
const SET = fashionSample(40);

describe.each(BACKENDS)('dataset delete racing search create on %s', (db) => {
  let h: Harness;
  let baseUrl: string;
  beforeAll(async () => { h = await startHarness(db); baseUrl = await listen(h); });
  afterAll(async () => { await h?.close(); }, 60_000);

  /**
   * A ready uploaded dataset searches can use, stored directly: the race is on its row, and a
   * hundred uploads through POST /datasets (each decoded in a child process) would take minutes.
   */
  async function upload(): Promise<string> {
    const id = randomUUID();
    await (h.core.store as PrismaStore).datasets().createDataset({
      id, tenant: null, name: 'race', format: 'csv', inputShape: [28, 28, 1], numClasses: 10, labels: [...'0123456789'],
      trainSize: SET.count, testSize: 0, pixelMax: 255,
    }, { train: SET, test: { images: new Uint8Array(0), labels: new Uint8Array(0) } });
    return id;
  }

  const call = async (method: string, path: string, body?: unknown) => {
    // A jitter of 0-3 ms varies which request reaches which step first from round to round.
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    const res = await fetch(`${baseUrl}${path}`, {
      method, ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { method, status: res.status, body: text ? JSON.parse(text) : null };
  };

  it(`keeps "a search only on an existing dataset" over ${ROUNDS} rounds of 2 deletes against 3 creates`, async () => {
    const outcomes = { deleted: 0, kept: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const id = await upload();
      const spec = microSearch({ dataset: { id, limit: 40 } });
      const calls = [
        () => call('DELETE', `/datasets/${id}`), () => call('DELETE', `/datasets/${id}`),
        () => call('POST', '/searches', spec), () => call('POST', '/searches', spec), () => call('POST', '/searches', spec),
      ].sort(() => Math.random() - 0.5);
      const answers = await Promise.all(calls.map((c) => c()));
      const seen = `round ${round}: ${answers.map((a) => `${a.method} ${a.status}`).join(', ')}`;
      for (const a of answers) {
        expect(a.status, `${seen} ${JSON.stringify(a.body)}`).toBeLessThan(500);
        if (a.method === 'DELETE') expect([204, 404, 409], seen).toContain(a.status);
        else {
          expect([201, 400], seen).toContain(a.status);
          if (a.status === 400) expect(a.body.error.details.field, seen).toBe('dataset.id');
        }
      }
      const created = answers.filter((a) => a.method === 'POST' && a.status === 201).map((a) => a.body.id as string);
      const exists = (await h.request.get(`/datasets/${id}`)).status === 200;
      const searchesOn = (await h.core.store.listSearches()).filter((s) => s.spec.dataset.id === id).map((s) => s.id);
      if (exists) {
        outcomes.kept++;
        expect(searchesOn.sort(), seen).toEqual(created.sort());
        expect(created.length, seen).toBeGreaterThan(0);
      } else {
        outcomes.deleted++;
        expect(searchesOn, `${seen}: searches on the deleted dataset`).toEqual([]);
        expect(answers.filter((a) => a.method === 'DELETE' && a.status === 204), seen).toHaveLength(1);
      }
      // Searches kept from earlier rounds would only slow the store's reads down: end them.
      for (const s of created) await h.core.searches.cancel(s);
    }
    console.info(`dataset race over HTTP on ${db}: ${outcomes.deleted} rounds deleted the dataset, ${outcomes.kept} kept it with its searches`);
  }, 300_000);

  // The same race one layer down, without HTTP's parsing between the steps: each service call's
  // store steps interleave with the other's (on SQLite the HTTP path rarely lets them).
  it(`keeps it over ${ROUNDS} rounds of the services' delete and create started together, in both orders`, async () => {
    let deleted = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const id = await upload();
      const spec = microSearch({ dataset: { id, limit: 40 } });
      const del = () => h.core.datasets.delete(id).then(() => 'deleted', (e: Error) => e.constructor.name);
      const create = () => h.core.searches.create(spec).then((s) => s.id, (e: Error) => e.constructor.name);
      const [a, b] = round % 2 === 0 ? [del, create] : [create, del];
      const answers = await Promise.all([a(), b()]);
      const seen = `round ${round}: ${answers.join(', ')}`;
      const exists = (await h.core.datasets.info(id)) !== undefined;
      const searchesOn = (await h.core.store.listSearches()).filter((s) => s.spec.dataset.id === id).map((s) => s.id);
      if (exists) {
        expect(answers, seen).toContain('ConflictError');
        expect(searchesOn, seen).toHaveLength(1);
        await h.core.searches.cancel(searchesOn[0]);
      } else {
        deleted++;
        expect(searchesOn, `${seen}: searches on the deleted dataset`).toEqual([]);
        expect(answers, seen).toContain('ValidationError');
      }
    }
    console.info(`dataset race in the services on ${db}: ${deleted} rounds deleted the dataset, ${ROUNDS - deleted} kept it with its search`);
  }, 300_000);
});
