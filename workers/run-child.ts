// Runs one trial in a fresh child process: training never blocks the worker's event loop (so
// BullMQ keeps renewing the job's lock), and the process's memory (the wasm heap never shrinks)
// goes back to the system when the trial ends.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./trial-child.ts', import.meta.url));

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  outcome: string | null;
}

export function runTrialChild(trialId: string, env: NodeJS.ProcessEnv = process.env): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    // tsx is passed explicitly: the parent may run under a loader that children do not inherit (vitest).
    const child = fork(CHILD, [trialId], { env, execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    let outcome: string | null = null;
    child.on('message', (m: { outcome?: string }) => { outcome = m.outcome ?? outcome; });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, outcome }));
  });
}
