// How OpenMP's idle workers wait is fixed when libgomp loads with the addon: a trial's process asks
// them to spin between kernels, everything else to sleep at once (src/training/native/addon.ts,
// OpenMpWait). libgomp's own report (OMP_DISPLAY_ENV) tells which one a process got.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { root } from '../../support/node-script.js';
import { describeNative } from './availability.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'openmp-wait-child.ts');

/** GOMP_SPINCOUNT as libgomp reported it: 0 passive, 300000 its default (spin, then sleep). */
const spinCounts = (stderr: string) => [...stderr.matchAll(/GOMP_SPINCOUNT = '(\d+)'/g)].map((m) => m[1]);

/** This environment with libgomp asked to report, and no wait policy unless the user's `policy`. */
function reportingEnv(policy?: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_DISPLAY_ENV: 'verbose', ...extra };
  delete env.OMP_WAIT_POLICY;
  if (policy) env.OMP_WAIT_POLICY = policy;
  return env;
}

function load(args: string[], userPolicy?: string) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', CHILD, ...args], { env: reportingEnv(userPolicy), encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr.slice(-500)).toBe(0);
  const report = JSON.parse(run.stdout.trim().split('\n').pop()!) as { envAfter: string | null; child?: string };
  return { spin: spinCounts(run.stderr), envAfter: report.envAfter, child: report.child === undefined ? undefined : spinCounts(report.child) };
}

describeNative('OpenMP wait policy of the native addon', () => {
  it('sleeps at once by default, spins when a trial process asks', () => {
    expect(load(['passive'])).toMatchObject({ spin: ['0'], envAfter: null });
    expect(load(['spin'])).toMatchObject({ spin: ['300000'], envAfter: null });
  }, 60_000);

  it("does not hand its own choice down: a trial process started by a passive one still spins", () => {
    expect(load(['passive', 'then-spin'])).toEqual({ spin: ['0'], envAfter: null, child: ['300000'] });
  }, 60_000);

  it("a worker's trial process asks to spin (workers/trial-child.ts, up to its backend)", () => {
    const env = reportingEnv(undefined, { TRAINING_BACKEND: 'native', DATABASE_URL: 'file:/nonexistent-hypertune-dir/x.db' });
    // Its store cannot open, so it exits after bringing its backend up: libgomp has reported by then.
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'workers/trial-child.ts'), 'no-such-trial'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout).toContain('could not open the store'); // its log
    expect(spinCounts(run.stderr)).toEqual(['300000']);
  }, 60_000);

  it('leaves a policy the user set alone', () => {
    expect(load(['passive'], 'active')).toMatchObject({ spin: ['30000000000'], envAfter: 'active' });
  }, 60_000);
});
