// Keyset pages of every list on every backend: the order (ties on createdAt broken by id), every
// row exactly once across pages, stability when rows are inserted mid-walk, summaries that carry
// the spec's copied fields and trial counts (no spec), and the 0008 backfill of older searches.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import type { SearchSpec } from '../../src/domain/search-spec.js';
import type { Page, PageRequest, TimeKey } from '../../src/ports/page.js';
import { migrate, parseDatabaseUrl } from '../../src/store/migrate.js';
import { openPrismaStore } from '../../src/store/prisma-store.js';
import { describeBackends, FIRST, spec, trial, type Backend } from './backends.js';

const MIGRATIONS = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));
const SAME_TIME = '2026-03-01T10:00:00.000';

/** Runs a write with the plain driver (backends' query opens SQLite read-only). */
async function exec(backend: Backend, url: string, sql: string): Promise<void> {
  if (backend.name === 'PostgreSQL') { await backend.query(url, sql); return; }
  const db = new Database((parseDatabaseUrl(url) as { path: string }).path);
  try { db.exec(sql); } finally { db.close(); }
}

/** SQL for "created at SAME_TIME" as each provider stores it. */
const sameTime = (backend: Backend) => (backend.name === 'SQLite' ? `'${SAME_TIME}+00:00'` : `'${SAME_TIME}'`);

/** Every item, page after page, following `next` as a client follows nextCursor. */
async function walk<T, K>(list: (page: PageRequest<any>) => Promise<Page<T, K>>, limit: number, between?: (pageNo: number) => Promise<void>): Promise<T[][]> {
  const pages: T[][] = [];
  let after: K | null = null;
  do {
    const page: Page<T, K> = await list({ after, limit });
    pages.push(page.items);
    after = page.next;
    await between?.(pages.length);
  } while (after !== null);
  return pages;
}

const ids = (pages: { id: string }[][]) => pages.flat().map((x) => x.id);

describeBackends('list pages', ({ backend, open }) => {
  it('searches: newest first, ties on createdAt by id, every one once, pages of the size asked', async () => {
    const url = backend.newUrl();
    const store = await open(url);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) await store.createSearch({ id, name: id, spec });
    // b, d, e, f created in the same millisecond, before the others: only the id orders them.
    await exec(backend, url, `UPDATE searches SET created_at = ${sameTime(backend)} WHERE id IN ('b', 'd', 'e', 'f')`);
    const all = await store.listSearches();
    const expected = [...all].sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : -1)).map((s) => s.id);
    expect(expected.slice(3)).toEqual(['f', 'e', 'd', 'b']);
    for (const limit of [1, 2, 3, 7, 50]) {
      const pages = await walk((page) => store.listSearchSummaries({}, page), limit);
      expect(ids(pages)).toEqual(expected);
      expect(pages.map((p) => p.length)).toEqual(Array.from({ length: Math.ceil(7 / limit) }, (_, k) => Math.min(limit, 7 - k * limit)));
    }
  });

  it('searches: a walk neither repeats nor skips when searches are created between pages; tenants apart', async () => {
    const store = await open();
    for (let i = 0; i < 6; i++) await store.createSearch({ id: `old${i}`, name: 'n', spec, tenant: 'alpha' });
    await store.createSearch({ id: 'other', name: 'n', spec, tenant: 'beta' });
    const before = ids([(await store.listSearchSummaries({ tenant: 'alpha' }, FIRST)).items]);
    const pages = await walk((page) => store.listSearchSummaries({ tenant: 'alpha' }, page), 2, async (n) => {
      await store.createSearch({ id: `new${n}`, name: 'n', spec, tenant: 'alpha' });
    });
    // Newer searches sort before the cursor: the walk reads exactly the ones there were.
    expect(ids(pages)).toEqual(before);
    expect(before).toHaveLength(6);
    expect(ids([(await store.listSearchSummaries({ tenant: 'beta' }, FIRST)).items])).toEqual(['other']);
    expect((await store.listSearchSummaries({}, FIRST)).items).toHaveLength(6 + 3 + 1);
  });

  it('search summaries: the spec\'s fields from their columns, trial counts and the best trial, no spec', async () => {
    const store = await open();
    const full = {
      ...spec, dataset: { id: 'upload-1' }, algorithm: { name: 'bayesian' }, objective: { metric: 'val_loss', direction: 'min' }, budget: { maxTrials: 9 },
    } as unknown as SearchSpec;
    await store.createSearch({ id: 's', name: 'full', spec: full });
    await store.createSearch({ id: 'bare', name: 'bare', spec });
    await store.commitSchedule('s', 0, { status: 'running' }, [trial(1), trial(2), trial(3)]);
    await store.updateTrialIf('t1', ['waiting'], { status: 'completed', valAccuracy: 0.7, value: 0.3 });
    await store.updateTrialIf('t2', ['waiting'], { status: 'running' });
    await store.commitSchedule('s', 1, { bestTrialId: 't1' }, []);
    const { items: [bare, s] } = await store.listSearchSummaries({}, FIRST);
    expect(s).toMatchObject({
      id: 's', name: 'full', status: 'running', algorithm: 'bayesian', datasetId: 'upload-1', objective: { metric: 'val_loss', direction: 'min' }, maxTrials: 9,
      trialCounts: { completed: 1, running: 1, waiting: 1 }, bestTrial: { id: 't1', number: 1, valAccuracy: 0.7, value: 0.3, hyperparameters: trial(1).hyperparameters },
    });
    expect(s).not.toHaveProperty('spec');
    expect(s.updatedAt).toBeInstanceOf(Date);
    // A spec without those fields (the store takes any JSON) leaves the columns' defaults.
    expect(bare).toMatchObject({ id: 'bare', algorithm: 'random', datasetId: 'fashion-mnist', maxTrials: 0, trialCounts: {}, bestTrial: null });
  });

  it('trials: by number after the cursor, with their epochs', async () => {
    const store = await open();
    await store.createSearch({ id: 's', name: 'n', spec });
    await store.commitSchedule('s', 0, {}, [5, 1, 3, 2, 4].map((n) => trial(n)));
    await store.recordEpoch({ trialId: 't3', execution: 0, epoch: 1, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5, durationMs: 1 });
    const pages = await walk<{ number: number; epochs: unknown[] }, number>((page) => store.pageTrialsWithEpochs('s', page), 2, async (n) => {
      // A trial scheduled mid-walk gets a higher number: it comes on a later page, once.
      if (n === 1) await store.commitSchedule('s', 1, {}, [trial(6)]);
    });
    expect(pages.map((p) => p.map((t) => t.number))).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(pages[1][0].epochs).toHaveLength(1);
    expect((await store.pageTrialsWithEpochs('s', { after: 6, limit: 2 }))).toEqual({ items: [], next: null });
  });

  it('datasets and API keys: oldest first, ties by id, rows created mid-walk come at the end, once', async () => {
    const url = backend.newUrl();
    const store = await open(url);
    const datasets = store.datasets();
    const keys = store.apiKeys();
    const blobs = { images: new Uint8Array(4), labels: new Uint8Array(1) };
    const record = (id: string, tenant: string | null = 'alpha') => ({
      id, tenant, name: id, format: 'csv' as const, inputShape: [2, 2, 1] as [number, number, number], numClasses: 2, labels: ['a', 'b'], trainSize: 1, testSize: 0, pixelMax: 255,
    });
    for (const id of ['d1', 'd2', 'd3', 'd4']) await datasets.createDataset(record(id), { train: blobs, test: blobs });
    await datasets.createDataset(record('elsewhere', 'beta'), { train: blobs, test: blobs });
    for (const id of ['k1', 'k2', 'k3', 'k4']) await keys.createApiKey({ id, tenant: 'alpha', name: id, keyHash: `h${id}`, prefix: id });
    await exec(backend, url, `UPDATE datasets SET created_at = ${sameTime(backend)} WHERE id IN ('d3', 'd2')`);
    await exec(backend, url, `UPDATE api_keys SET created_at = ${sameTime(backend)} WHERE id IN ('k4', 'k1')`);
    const dPages = await walk((page) => datasets.listDatasets({ tenant: 'alpha' }, page), 2, async (n) => {
      if (n === 1) await datasets.createDataset(record('d5'), { train: blobs, test: blobs });
    });
    expect(ids(dPages)).toEqual(['d2', 'd3', 'd1', 'd4', 'd5'].sort(byTimeOf(await datasets.listDatasets({}, FIRST))));
    expect(ids(dPages)).toEqual(expect.arrayContaining(['d1', 'd2', 'd3', 'd4', 'd5']));
    expect(new Set(ids(dPages)).size).toBe(5);
    expect(ids([(await datasets.listDatasets({ tenant: 'beta' }, FIRST)).items])).toEqual(['elsewhere']);
    const kPages = await walk((page) => keys.listApiKeys(page), 3, async (n) => {
      if (n === 1) await keys.createApiKey({ id: 'k5', tenant: 'beta', name: 'k5', keyHash: 'hk5', prefix: 'k5' });
    });
    expect(ids(kPages)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5'].sort(byTimeOf(await keys.listApiKeys(FIRST))));
    expect(new Set(ids(kPages)).size).toBe(5);
  });

  it('0008_list_indexes fills the summary columns of searches created before it from their specs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypertune-migrations-'));
    try {
      cpSync(MIGRATIONS, dir, { recursive: true });
      const provider = parseDatabaseUrl(backend.newUrl()).provider;
      rmSync(join(dir, provider, '0008_list_indexes'), { recursive: true });
      const url = backend.newUrl();
      await migrate(url, { migrationsDir: dir });
      const old = JSON.stringify({ name: 'old', dataset: { id: 'd9' }, algorithm: { name: 'hyperband' }, objective: { metric: 'val_loss', direction: 'min' }, budget: { maxTrials: 12 } });
      const now = backend.name === 'SQLite' ? `'${SAME_TIME}+00:00'` : 'now()';
      await exec(backend, url, `INSERT INTO searches (id, name, spec, status, updated_at) VALUES ('old', 'old', '${old}', 'queued', ${now})`);
      await exec(backend, url, `INSERT INTO searches (id, name, spec, status, updated_at) VALUES ('bare', 'bare', '{}', 'queued', ${now})`);
      await migrate(url);
      const store = await open(url);
      const { items } = await store.listSearchSummaries({}, FIRST);
      const byId = Object.fromEntries(items.map((s) => [s.id, s]));
      expect(byId.old).toMatchObject({ algorithm: 'hyperband', datasetId: 'd9', objective: { metric: 'val_loss', direction: 'min' }, maxTrials: 12 });
      expect(byId.bare).toMatchObject({ algorithm: 'random', datasetId: '', objective: { metric: 'val_accuracy', direction: 'max' }, maxTrials: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The order of a page's items (createdAt, then id), as a comparator of ids. */
function byTimeOf(page: Page<{ id: string; createdAt: Date }, TimeKey>): (a: string, b: string) => number {
  const at = new Map(page.items.map((r) => [r.id, r.createdAt.getTime()]));
  return (a, b) => (at.get(a)! - at.get(b)!) || (a < b ? -1 : 1);
}
