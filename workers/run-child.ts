// Runs work in fresh child processes. Trials: training never blocks the worker's event loop (so
// BullMQ keeps renewing the job's lock), and the process's memory (the wasm heap never shrinks)
// goes back to the system when the trial ends. The backend probe: the worker itself never loads
// a tfjs backend.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProbeResult } from '../src/training/backend-probe.js';

const TRIAL_CHILD = fileURLToPath(new URL('./trial-child.ts', import.meta.url));
const PROBE_CHILD = fileURLToPath(new URL('./probe-child.ts', import.meta.url));

export interface ChildExit<M> {
  code: number | null;
  signal: NodeJS.Signals | null;
  message: M | null; // the last message the child sent
}

function runChild<M>(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildExit<M>> {
  return new Promise((resolve, reject) => {
    // tsx is passed explicitly: the parent may run under a loader that children do not inherit (vitest).
    const child = fork(file, args, { env, execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    let message: M | null = null;
    child.on('message', (m: M) => { message = m; });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, message }));
  });
}

export async function runTrialChild(trialId: string, env: NodeJS.ProcessEnv = process.env) {
  const exit = await runChild<{ outcome?: string }>(TRIAL_CHILD, [trialId], env);
  return { code: exit.code, signal: exit.signal, outcome: exit.message?.outcome ?? null };
}

/** The backend trials will use on this host; throws when the configured one cannot run. */
export async function runProbeChild(env: NodeJS.ProcessEnv = process.env): Promise<ProbeResult> {
  const exit = await runChild<ProbeResult | { error: string }>(PROBE_CHILD, [], env);
  const m = exit.message;
  if (!m) throw new Error(`backend probe exited with ${exit.signal ?? `code ${exit.code}`} and no result`);
  if ('error' in m) throw new Error(m.error);
  return m;
}
