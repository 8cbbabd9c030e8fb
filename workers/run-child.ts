// Runs work in fresh child processes. Trials: training never blocks the worker's event loop (so
// BullMQ keeps renewing the job's lock), and the process's memory (the wasm heap never shrinks)
// goes back to the system when the trial ends. The backend probe: the worker itself never loads
// a tfjs backend.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProbeResult } from '../src/training/backend-probe.js';

const TRIAL_CHILD = fileURLToPath(new URL('./trial-child.ts', import.meta.url));
const PROBE_CHILD = fileURLToPath(new URL('./probe-child.ts', import.meta.url));

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A trial child's exit code when it stopped at an epoch boundary on request and handed the trial back. */
export const HANDED_BACK_EXIT_CODE = 75;
/** The IPC message that asks a trial child to stop at its next epoch boundary. */
export const STOP_MESSAGE = 'stop';

/** `message`: the last message the child sent (only the probe sends one). */
function runChild<M>(file: string, args: string[], env: NodeJS.ProcessEnv, onSpawn?: (child: ChildProcess) => void): Promise<ChildExit & { message: M | null }> {
  return new Promise((resolve, reject) => {
    // tsx is passed explicitly: the parent may run under a loader that children do not inherit (vitest).
    const child = fork(file, args, { env, execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    onSpawn?.(child);
    let message: M | null = null;
    child.on('message', (m: M) => { message = m; });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, message }));
  });
}

/**
 * A trial child reports by its exit code alone (see trial-child.ts). `onSpawn` gets the child, so a
 * shutting-down worker can ask it to stop (STOP_MESSAGE) or kill it.
 */
export async function runTrialChild(trialId: string, env: NodeJS.ProcessEnv = process.env, onSpawn?: (child: ChildProcess) => void): Promise<ChildExit> {
  const { code, signal } = await runChild<never>(TRIAL_CHILD, [trialId], env, onSpawn);
  return { code, signal };
}

/** The backend trials will use on this host; throws when the configured one cannot run. */
export async function runProbeChild(env: NodeJS.ProcessEnv = process.env): Promise<ProbeResult> {
  const exit = await runChild<ProbeResult | { error: string }>(PROBE_CHILD, [], env);
  const m = exit.message;
  if (!m) throw new Error(`backend probe exited with ${exit.signal ?? `code ${exit.code}`} and no result`);
  if ('error' in m) throw new Error(m.error);
  return m;
}
