// CPU time of the service's process trees and of the whole machine, from /proc: how much of the
// host a benchmark had, since other work shares it.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { descendants } from '../test/support/process-tree.js';

/** CPU time (user + system) a process has used so far, in seconds, with `reaped` the time of its
 *  children it has waited for (a worker's finished trial processes); null once it has gone. */
export function cpuSeconds(pid: number, reaped = false, file = `/proc/${pid}/stat`): number | null {
  try {
    // Fields after the command name (which may hold spaces): utime, stime, cutime, cstime are the 14th to 17th.
    const stat = readFileSync(file, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return (f[11] + f[12] + (reaped ? f[13] + f[14] : 0)) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** CPU time of a process's main thread alone (a Node process's event loop), seconds; null once gone. */
export const mainThreadCpuSeconds = (pid: number) => cpuSeconds(pid, false, `/proc/${pid}/task/${pid}/stat`);

/** CPU seconds of processes and all their descendants, finished or running. */
export const treeCpuSeconds = (pids: number[]) =>
  pids.reduce((sum, p) => sum + (cpuSeconds(p, true) ?? 0) + descendants(p).reduce((s, d) => s + (cpuSeconds(d) ?? 0), 0), 0);

/** Busy and total CPU time of the whole machine (every process, this checkout's or not), seconds. */
function machineCpu(): { busy: number; total: number } {
  const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user nice system idle iowait irq softirq steal
  return { busy: (total - v[3] - v[4]) / 100, total: total / 100 };
}

/** Who used the CPU over a stretch: the whole machine against this benchmark (its own process,
 *  autocannon included, plus the service's process trees); the rest is other work on the host. */
export class CpuMeter {
  private readonly t0 = performance.now();
  private readonly machine0 = machineCpu();
  private readonly own0: number;
  private readonly self0 = process.cpuUsage();
  constructor(private readonly pids: () => number[]) {
    this.own0 = treeCpuSeconds(pids());
  }
  read(): { cores: number; machineBusy: number; bench: number; service: number; others: number; text: string } {
    const wall = (performance.now() - this.t0) / 1000;
    const m = machineCpu();
    const cores = os.availableParallelism();
    const machineBusy = (m.busy - this.machine0.busy) / wall;
    const self = process.cpuUsage(this.self0);
    const client = (self.user + self.system) / 1e6 / wall;
    const service = (treeCpuSeconds(this.pids()) - this.own0) / wall;
    const others = Math.max(0, machineBusy - client - service);
    return {
      cores, machineBusy, bench: client, service, others,
      text: `CPU over ${wall.toFixed(0)} s, in cores of ${cores}: machine ${machineBusy.toFixed(2)} busy = service ${service.toFixed(2)} + bench client ${client.toFixed(2)} + other work ${others.toFixed(2)}`,
    };
  }
}
