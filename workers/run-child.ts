// Runs work in fresh child processes. Trials: training never blocks the worker's event loop (so
// BullMQ keeps renewing the job's lock), and the process's memory (the wasm heap never shrinks)
// goes back to the system when the trial ends; one spare is started ahead, so the next trial does
// not wait for a cold process. The backend probe: the worker itself never loads a tfjs backend.
import { fork, type ChildProcess } from 'node:child_process';
import type { ProbeResult } from '../src/training/backend-probe.js';
import { TSX_CHILDREN, type ChildScript } from './child-bundle.js';
import { READY_MESSAGE, SPARE_ARG, type FinishedMessage, type TrialMessage } from './trial-protocol.js';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const forkChild = (script: ChildScript, args: string[], env: NodeJS.ProcessEnv) => {
  script.ensure();
  return fork(script.file, args, { env, execArgv: script.execArgv, stdio: 'inherit' });
};

/** How long a trial child that said it finished may take to exit before it is killed. */
const EXIT_AFTER_FINISHED_MS = 30_000;

/**
 * Resolves when a trial child says its outcome is recorded (FinishedMessage), with the code it
 * will exit with; never if it exits first (its exit tells). It is killed if it then does not exit.
 */
function finishedOf(child: ChildProcess): Promise<ChildExit> {
  return new Promise((resolve) => {
    child.on('message', (m: FinishedMessage | unknown) => {
      if (typeof m !== 'object' || m === null || typeof (m as FinishedMessage).finished !== 'number') return;
      const kill = setTimeout(() => child.kill('SIGKILL'), EXIT_AFTER_FINISHED_MS).unref();
      child.once('exit', () => clearTimeout(kill));
      resolve({ code: (m as FinishedMessage).finished, signal: null });
    });
  });
}

/** How the child ends; `message`: the last message it sent (only the probe sends one). */
function exitOf<M>(child: ChildProcess): Promise<ChildExit & { message: M | null }> {
  return new Promise((resolve, reject) => {
    let message: M | null = null;
    child.on('message', (m: M) => { message = m; });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, message }));
  });
}

interface Spare {
  child: ChildProcess;
  /** True once it said READY_MESSAGE (a message sent earlier could be lost), false if it exited first. */
  ready: Promise<boolean>;
}

/**
 * Trial children, each reporting by its exit code alone (see trial-child.ts), with one spare: each
 * trial goes to the spare started during the previous one, or with the worker (already past its
 * imports, backend start, store open and dataset read, about 3 s of CPU), and a new spare starts
 * once that one is ready. Every trial still has a process of its own. A spare that died meanwhile
 * is replaced by a cold start.
 */
export class TrialProcesses {
  private spare: Spare | null = null;
  private closed = false;

  /** `script`: the trial child to fork (child-bundle.ts). */
  constructor(private readonly env: NodeJS.ProcessEnv, private readonly keepSpare: boolean, private readonly script: ChildScript = TSX_CHILDREN.trial) {}

  /** The waiting spare's pid (tests). */
  get sparePid(): number | undefined {
    return this.spare?.child.pid;
  }

  /** Starts the first spare (the worker's start), so that the first trial need not wait either. */
  warm(): void {
    this.startSpare();
  }

  /** `onSpawn` gets the trial's child, so a shutting-down worker can ask it to stop (STOP_MESSAGE) or kill it. */
  async run(trialId: string, onSpawn?: (child: ChildProcess) => void): Promise<ChildExit> {
    const spare = this.take();
    // Still starting, the spare is nearer ready than a cold process; one that died is replaced by one.
    const warm = spare && await spare.ready ? spare.child : null;
    // Only now, so the next spare's start does not share the CPU with this one's. The next trial is
    // most often of the same search: the new spare reads this one's dataset ahead.
    this.startSpare(trialId);
    const child = warm ?? forkChild(this.script, [trialId], this.env);
    onSpawn?.(child);
    const exit = exitOf<never>(child);
    // A failed send means the spare died just now: its exit, non-zero, retries the trial.
    warm?.send({ trial: trialId } satisfies TrialMessage, () => undefined);
    return Promise.race([exit.then(({ code, signal }) => ({ code, signal })), finishedOf(child)]);
  }

  /** Kills the spare; no other starts. */
  close(): void {
    this.closed = true;
    this.spare?.child.kill('SIGKILL');
    this.spare = null;
  }

  private take(): Spare | null {
    const spare = this.spare;
    this.spare = null;
    if (!spare || spare.child.exitCode !== null || spare.child.signalCode !== null || !spare.child.connected) return null;
    spare.child.ref();
    spare.child.channel?.ref();
    return spare;
  }

  private startSpare(like?: string): void {
    if (!this.keepSpare || this.closed || this.spare) return;
    const child = forkChild(this.script, like ? [SPARE_ARG, like] : [SPARE_ARG], this.env);
    // While it waits, it keeps no worker process alive (take() refs it again).
    child.unref();
    child.channel?.unref();
    const ready = new Promise<boolean>((resolve) => {
      child.on('message', (m) => { if (m === READY_MESSAGE) resolve(true); });
      child.once('exit', () => resolve(false));
    });
    child.once('exit', () => { if (this.spare?.child === child) this.spare = null; });
    child.on('error', () => undefined);
    this.spare = { child, ready };
  }
}

/** The backend trials will use on this host; throws when the configured one cannot run. */
export async function runProbeChild(env: NodeJS.ProcessEnv = process.env, script: ChildScript = TSX_CHILDREN.probe): Promise<ProbeResult> {
  const exit = await exitOf<ProbeResult | { error: string }>(forkChild(script, [], env));
  const m = exit.message;
  if (!m) throw new Error(`backend probe exited with ${exit.signal ?? `code ${exit.code}`} and no result`);
  if ('error' in m) throw new Error(m.error);
  return m;
}
