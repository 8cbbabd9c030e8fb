// `hypertune search importance <id>` as a user runs it (a child process) against the real app
// listening on a port (SQLite, Redis; no worker: trials are recorded through the store with chosen
// values, so the hyperparameter that matters is known).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/domain/rng.js';
import { normalizeSpec } from '../../../src/domain/search-spec.js';
import { microSearch } from '../../fixtures/micro-search.js';
import { startHarness, type Harness } from '../../helpers/harness.js';
import { runCli } from '../run-cli.js';

let h: Harness;
let env: Record<string, string>;
beforeAll(async () => {
  h = await startHarness('sqlite');
  env = { HYPERTUNE_URL: await h.app.listen({ port: 0, host: '127.0.0.1' }) };
}, 60_000);
afterAll(async () => { await h?.close(); }, 60_000);

/** A search with `n` completed trials whose val_accuracy falls with dropout and ignores units. */
async function seed(n: number): Promise<string> {
  const store = h.core.store;
  const spec = normalizeSpec(microSearch({ hyperparameters: [{ name: 'dropout', type: 'float', min: 0, max: 0.5 }, { name: 'units', type: 'choice', values: [8, 16, 32] }] }), () => 1);
  const search = await store.createSearch({ id: randomUUID(), name: 'importance', spec });
  const rand = mulberry32(3);
  const rows = Array.from({ length: n }, (_, i) => ({ id: randomUUID(), number: i + 1, hyperparameters: { dropout: 0.5 * rand(), units: [8, 16, 32][Math.floor(rand() * 3)] } }));
  expect(await store.commitSchedule(search.id, search.version, { status: 'running' }, rows)).toBe(true);
  for (const r of rows) {
    const value = 0.9 - Number(r.hyperparameters.dropout) + 0.01 * rand();
    await store.updateTrialIf(r.id, ['waiting'], { status: 'running', startedAt: new Date(), attempts: 1 });
    expect(await store.updateTrialIf(r.id, ['running'], { status: 'completed', value, valAccuracy: value, finishedAt: new Date() })).toBe(true);
  }
  return search.id;
}

describe('hypertune search importance', () => {
  it('prints the importances as a table, largest first, with what they explain', async () => {
    const id = await seed(30);
    const res = await runCli(['search', 'importance', id], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^hyperparameter\s+importance\s+trials$/);
    expect(lines[2]).toMatch(/^dropout\s+0\.\d{4}\s+#+\s+30$/);
    expect(lines[3]).toMatch(/^units\s+0\.\d{4}/);
    expect(lines[4]).toBe('val_accuracy (max), 30 completed trial(s), ped-anova on the top 10 %');
    const json = JSON.parse((await runCli(['search', 'importance', id, '--json', '--objective', 'val_accuracy'], env)).stdout);
    expect(json.importances.map((i: { name: string }) => i.name)).toEqual(['dropout', 'units']);
  });

  it('says why when there is too little to tell, and refuses a bad --objective or an unknown search', async () => {
    const few = await runCli(['search', 'importance', await seed(2)], env);
    expect(few.code).toBe(0);
    expect(few.stdout).toMatch(/^no importances for val_accuracy \(max\), 2 completed trial\(s\).*: PED-ANOVA needs at least 3/);
    const bad = await runCli(['search', 'importance', 'x', '--objective', 'f1'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--objective must be one of val_accuracy/);
    const unknown = await runCli(['search', 'importance', 'no-such-search'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not found/i);
    expect((await runCli(['search', '--help'], env)).stdout).toMatch(/hypertune search importance <searchId>/);
  });
});
