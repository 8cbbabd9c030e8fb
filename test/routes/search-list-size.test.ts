// Issue 15's row: "GET /searches with ~10 large searches: 15.4 MB in one answer, unpaginated,
// every full spec". Ten searches whose specs are 1.5 MB each, with trials under way, then
// GET /searches: the answer is summaries (kilobytes, no spec), and it adds under 250 ms to the
// slowest GET /health the idle API shows on this machine while it is read.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertLargeSearch, type LargeSearch } from '../fixtures/large-search.js';
import { healthDuring, idleStallMs } from '../helpers/event-loop-stall.js';
import { listen, startHarness, type Harness } from '../helpers/harness.js';

const STALL_MS = 250;
const SEARCHES = 10;
const SPEC_BYTES = 1.5 * 1024 * 1024;
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'hypertune-list-size-'));

describe('GET /searches with ten large searches', () => {
  let h: Harness;
  let base: string;
  let idleMs = 0;
  const large: LargeSearch[] = [];

  beforeAll(async () => {
    h = await startHarness('sqlite');
    base = await listen(h);
    for (let i = 0; i < SEARCHES; i++) large.push(await insertLargeSearch(h.core.store, { specBytes: SPEC_BYTES, trials: 3, epochs: 2 }));
    await get(); // warm: the route's first compile is not what is measured
    // What /health takes with nothing to do: on a loaded machine the OS alone pauses the process.
    idleMs = await idleStallMs(base);
  }, 300_000);
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // curl reads the answer in another process, so the measures see the API's work, not the client's.
  async function get(): Promise<{ status: number; bytes: number; body: string }> {
    const file = join(dir, 'answer.json');
    const { stdout } = await run('curl', ['-s', '-o', file, '-w', '%{http_code} %{size_download}', `${base}/searches`]);
    const [status, bytes] = stdout.split(' ').map(Number);
    return { status, bytes, body: readFileSync(file, 'utf8') };
  }

  it('answers kilobytes of summaries, no spec, without stalling /health', async () => {
    const specTotal = large.reduce((sum, s) => sum + s.specBytes, 0);
    const started = performance.now();
    const { result, maxHealthMs, probes, loopDelayMs } = await healthDuring(base, get);
    console.log(`GET /searches (${SEARCHES} searches, specs ${(specTotal / 1e6).toFixed(1)} MB together): ${result.status}, `
      + `${(result.bytes / 1024).toFixed(1)} KB in ${(performance.now() - started).toFixed(0)} ms, /health at most ${maxHealthMs.toFixed(0)} ms `
      + `(${probes} probes), event loop delayed at most ${loopDelayMs.toFixed(0)} ms`);
    expect(result.status).toBe(200);
    expect(result.bytes).toBeLessThan(32 * 1024);
    const body = JSON.parse(result.body) as { searches: Record<string, unknown>[]; nextCursor: string | null };
    expect(body.searches.map((s) => s.id).sort()).toEqual(large.map((s) => s.id).sort());
    expect(body.nextCursor).toBeNull();
    for (const s of body.searches) {
      expect(s).not.toHaveProperty('spec');
      expect(s).toMatchObject({ algorithm: 'random', datasetId: 'fashion-mnist', trials: { total: 3, running: 3 } });
    }
    expect(result.body).not.toContain('branch_0'); // nothing of the spec's hyperparameters
    expect(probes).toBeGreaterThan(0);
    expect(maxHealthMs).toBeLessThan(STALL_MS + idleMs);
    expect(loopDelayMs).toBeLessThan(STALL_MS + idleMs);
  }, 120_000);
});
