// Loads the addon with the wait policy argv[2] and prints what the environment holds afterwards;
// with argv[3] = 'then-spin' it then starts itself with 'spin' (inheriting its environment, as a
// worker's trial process does) and relays that child's libgomp report. libgomp prints its settings
// to stderr when it loads (OMP_DISPLAY_ENV=verbose, set by the test).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadAddon, type OpenMpWait } from '../../../src/training/native/addon.js';

const [wait, then] = process.argv.slice(2) as [OpenMpWait, string | undefined];
const { addon, reason } = loadAddon(2, wait);
if (!addon) throw new Error(reason);
const report: { envAfter: string | null; child?: string } = { envAfter: process.env.OMP_WAIT_POLICY ?? null };
if (then === 'then-spin') {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'spin'], { encoding: 'utf8' });
  report.child = child.stderr;
}
console.log(JSON.stringify(report));
