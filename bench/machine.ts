// What the benchmarks ran on, printed with their results.
import os from 'node:os';

export function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** The 1/5/15-minute load averages, as uptime prints them. */
export const load = () => os.loadavg().map((l) => l.toFixed(2)).join(', ');
