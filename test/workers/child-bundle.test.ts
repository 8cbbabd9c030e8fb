// The worker's children run from an esbuild bundle built at its start (workers/child-bundle.ts):
// a bundled trial child trains a real trial (Redis, SQLite, the wasm backend) and a bundled probe
// brings up the native addon (found from its source file's path, not the bundle's); with
// TRIAL_CHILD_BUNDLE off, or when bundling fails, the children run through tsx and still train.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { nativeUnavailableReason } from '../../src/training/native/index.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { startHarness, waitFor, type Harness } from '../helpers/harness.js';
import { requiredBy, requireOrSkip } from '../helpers/requirements.js';
import { childScripts, TSX_CHILDREN, type ChildScript } from '../../workers/child-bundle.js';
import { runProbeChild, TrialProcesses } from '../../workers/run-child.js';

let dir: string;
let h: Harness;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'child-bundle-test-'));
  h = await startHarness('sqlite');
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** A logger whose lines the test reads. */
function capturedLog() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { log: createLogger('warn', 'test', stream), lines };
}

/** Runs the first trial of a fresh search in a child forked from `script`; returns its exit and the trial's end state. */
async function runTrial(script: ChildScript) {
  const request = tinySearch({ name: `bundle-${script.bundled}`, budget: { maxTrials: 1, maxParallelTrials: 1 }, dataset: { id: 'fashion-mnist', limit: 300 } });
  const { id } = (await h.request.post('/searches').send(request).expect(201)).body;
  const [trial] = await waitFor(() => h.core.store.listTrials(id), (ts) => ts.length > 0, 10_000, 'the first trial');
  const exit = await new TrialProcesses(childEnv(h.config), false, script).run(trial.id);
  return { exit, trial: (await h.core.store.listTrialsWithEpochs(id))[0] };
}

describe('the bundled children', () => {
  let scripts: Awaited<ReturnType<typeof childScripts>>;
  beforeAll(async () => {
    scripts = await childScripts({ bundle: true, log: createLogger('warn', 'test'), dir });
  });

  it('are built into the folder under names that keep the entry and hash the content, the same each build', async () => {
    expect(scripts.trial).toMatchObject({ bundled: true });
    expect(scripts.trial.file).toMatch(new RegExp(`^${dir}/trial-child-[0-9a-f]{16}\\.mjs$`));
    expect(scripts.probe.file).toMatch(new RegExp(`^${dir}/probe-child-[0-9a-f]{16}\\.mjs$`));
    const text = readFileSync(scripts.trial.file, 'utf8');
    // tfjs through require, and the addon's path from its source file.
    expect(text).toMatch(/require\(".*\/@tensorflow\/tfjs\/dist\/tf\.node\.js"\)/);
    expect(text).toContain(JSON.stringify(new URL('../../src/training/native/addon.ts', import.meta.url).href));
    const again = await childScripts({ bundle: true, log: createLogger('warn', 'test'), dir });
    expect(again.trial.file).toBe(scripts.trial.file);
  });

  it('puts a removed bundle back before a fork', () => {
    rmSync(scripts.probe.file);
    scripts.probe.ensure();
    expect(existsSync(scripts.probe.file)).toBe(true);
  });

  it('a bundled trial child trains a trial to completion', async () => {
    const { exit, trial } = await runTrial(scripts.trial);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(trial.status).toBe('completed');
    expect(trial.epochs).toHaveLength(1);
  }, 120_000);

  it.skipIf(!requireOrSkip('the native backend', nativeUnavailableReason(), requiredBy('BACKENDS', 'native')))(
    'a bundled probe brings the native addon up and trains on it', async () => {
      const result = await runProbeChild(childEnv({ ...h.config, trainingBackend: 'native', trainingThreads: 1 }), scripts.probe);
      expect(result).toMatchObject({ chosen: { name: 'native', detail: 'oneDNN' } });
      expect((result as { entries: { samplesPerSecond: number }[] }).entries[0].samplesPerSecond).toBeGreaterThan(0);
    }, 60_000);
});

describe('without the bundle', () => {
  it('TRIAL_CHILD_BUNDLE off: the children are the TypeScript entries through tsx', async () => {
    expect(h.config.trialChildBundle).toBe(true);
    expect(await childScripts({ bundle: false, log: createLogger('warn', 'test'), dir })).toBe(TSX_CHILDREN);
    expect(TSX_CHILDREN.trial).toMatchObject({ bundled: false, execArgv: ['--import', 'tsx'] });
    expect(TSX_CHILDREN.trial.file).toMatch(/workers\/trial-child\.ts$/);
  });

  it('a failed bundle falls back to tsx with a warning, and the tsx trial child trains', async () => {
    const notADir = join(dir, 'a-file');
    writeFileSync(notADir, '');
    const { log, lines } = capturedLog();
    const scripts = await childScripts({ bundle: true, log, dir: notADir });
    expect(scripts).toBe(TSX_CHILDREN);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: expect.stringContaining('run through tsx') })]);
    const { exit, trial } = await runTrial(scripts.trial);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(trial.status).toBe('completed');
  }, 120_000);
});
