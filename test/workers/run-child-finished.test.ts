// A trial child's outcome reaches the worker when the child says it is recorded, not when the
// process has closed its store and exited: stand-in children (plain scripts, no training) tell
// the protocol apart from the trial itself, which test/workers/run-child.test.ts covers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { alive } from '../support/process-tree.js';
import { waitFor } from '../helpers/harness.js';
import { TrialProcesses } from '../../workers/run-child.js';
import type { ChildScript } from '../../workers/child-bundle.js';

/** A child that runs `body` (CommonJS, `trial` = its trial id). */
function script(body: string): ChildScript {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'finished-')), 'child.cjs');
  writeFileSync(file, `const trial = process.argv[2];\n${body}\n`);
  return { file, execArgv: [], bundled: false, ensure: () => undefined };
}

it('goes on when the child says its trial finished, and the child still exits', async () => {
  // Says it finished with 75 (handed back), then takes 3 s to close and exits with that code.
  const processes = new TrialProcesses(process.env, false, script('process.send({ finished: 75 }); setTimeout(() => process.exit(75), 3000);'));
  let pid = 0;
  const started = performance.now();
  const exit = await processes.run('t1', (child) => { pid = child.pid!; });
  expect(exit).toEqual({ code: 75, signal: null });
  expect(performance.now() - started).toBeLessThan(2500);
  expect(alive(pid)).toBe(true);
  await waitFor(async () => alive(pid), (up) => !up, 10_000, 'the child to exit');
});

it('takes the exit when a child dies without saying it finished', async () => {
  const processes = new TrialProcesses(process.env, false, script('process.send({ other: 1 }); setTimeout(() => process.exit(3), 200);'));
  expect(await processes.run('t2')).toEqual({ code: 3, signal: null });
});
