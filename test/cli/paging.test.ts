// The CLI reads every page of a list (GET /searches, /searches/:id/trials answer at most 200 items
// a page) unless --limit; ApiClient.all follows nextCursor whatever the page size.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.js';
import { normalizeSpec } from '../../src/domain/search-spec.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { listen, startHarness, type Harness } from '../helpers/harness.js';
import { runCli } from './run-cli.js';

const ADMIN = `admin-key-${'l'.repeat(32)}`;
const SEARCHES = 205;
const TRIALS = 203;

describe('CLI lists past one page', () => {
  let h: Harness;
  let env: Record<string, string>;
  const ids: string[] = [];

  beforeAll(async () => {
    h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN });
    const url = await listen(h);
    const { key } = (await h.request.post('/api-keys').set('authorization', `Bearer ${ADMIN}`).send({ tenant: 'cli', name: 'paging' }).expect(201)).body;
    env = { HYPERTUNE_URL: url, HYPERTUNE_API_KEY: key };
    // Stored directly (the API would validate and schedule each): what is listed, not how it came.
    const spec = normalizeSpec(tinySearch({ budget: { maxTrials: TRIALS, maxParallelTrials: 1 } }), () => 1);
    for (let i = 0; i < SEARCHES; i++) ids.push((await h.core.store.createSearch({ id: randomUUID(), name: `s${i}`, spec, tenant: 'cli' })).id);
    await h.core.store.createSearch({ id: randomUUID(), name: 'other tenant', spec, tenant: 'other' });
    const hyperparameters = { conv_1_filter: 8 };
    await h.core.store.commitSchedule(ids[0], 0, {}, Array.from({ length: TRIALS }, (_, i) => ({ id: randomUUID(), number: i + 1, hyperparameters })));
  }, 120_000);
  afterAll(async () => { await h?.close(); });

  it('search list shows every search (two pages), --limit the newest N, --json one list', async () => {
    const all = await runCli(['search', 'list'], env);
    expect(all.code, all.stderr).toBe(0);
    const rows = all.stdout.trimEnd().split('\n').slice(2); // after the header and its rule
    expect(rows.map((r) => r.split(/\s+/)[0]).sort()).toEqual([...ids].sort());
    expect(rows[0]).toMatch(/^\S+\s+s\d+\s+queued\s+0\/203\s+val_accuracy$/);
    const limited = await runCli(['search', 'list', '--limit', '3'], env);
    expect(limited.stdout.trimEnd().split('\n').slice(2)).toHaveLength(3);
    const json = JSON.parse((await runCli(['search', 'list', '--json'], env)).stdout);
    expect(json.searches).toHaveLength(SEARCHES);
    expect(json.nextCursor).toBeNull();
    expect(json.searches[0]).not.toHaveProperty('spec');
    const bad = await runCli(['search', 'list', '--limit', '0'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--limit must be a positive integer/);
  }, 120_000);

  it('trials shows every trial (two pages), by number; --limit the first N', async () => {
    const res = await runCli(['trials', ids[0]], env);
    expect(res.code, res.stderr).toBe(0);
    const numbers = res.stdout.trimEnd().split('\n').slice(2).map((r) => Number(r.trim().split(/\s+/)[0]));
    expect(numbers).toEqual(Array.from({ length: TRIALS }, (_, i) => i + 1));
    const limited = await runCli(['trials', ids[0], '--limit', '5', '--json'], env);
    expect(JSON.parse(limited.stdout).trials.map((t: { number: number }) => t.number)).toEqual([1, 2, 3, 4, 5]);
  }, 120_000);

  it('ApiClient.all follows nextCursor page by page, each item once', async () => {
    const api = new ApiClient({ url: env.HYPERTUNE_URL, key: env.HYPERTUNE_API_KEY });
    const searches = await api.all<{ id: string }>('/searches', 'searches', { pageSize: 7 });
    expect(searches.map((s) => s.id).sort()).toEqual([...ids].sort());
    expect(await api.all('/searches', 'searches', { pageSize: 7, max: 10 })).toHaveLength(10);
    const trials = await api.all<{ number: number }>(`/searches/${ids[0]}/trials`, 'trials', { pageSize: 50 });
    expect(trials.map((t) => t.number)).toEqual(Array.from({ length: TRIALS }, (_, i) => i + 1));
  }, 60_000);
});
