// The processes below a process (a worker's trial and probe children), read from /proc, and the
// signals tests and benchmarks send them.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Pids of every descendant of `pid` (children, their children, …). Scans each process's parent
 *  in /proc/<pid>/stat, which every Linux kernel has (…/task/<tid>/children needs CONFIG_PROC_CHILDREN). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* exited meanwhile */ }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const [c, pp] of parents) if (pp === p) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}

export function killPid(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try { process.kill(pid, signal); } catch { /* already gone */ }
}

export const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true; } catch { return false; }
};

export const hasExited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

/** SIGTERM, then SIGKILL once `graceMs` has passed; resolves when the child has exited. */
export async function stopChild(child: ChildProcess, graceMs = 20_000): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** SIGKILL to a child and everything below it (a worker's trial children would outlive it otherwise). */
export async function killTree(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise((r) => child.once('exit', r));
  for (const pid of descendants(child.pid!)) killPid(pid);
  child.kill('SIGKILL');
  await exited;
}
