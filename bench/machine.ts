// What the benchmarks ran on, printed with their results.
import os from 'node:os';

export function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** The 1/5/15-minute load averages, as uptime prints them. */
export const load = () => os.loadavg().map((l) => l.toFixed(2)).join(', ');

/**
 * A warning when the machine is busy (1-minute load above half its cores), or undefined. PyTorch's
 * OpenMP threads spin-wait at each barrier: with the cores taken they collapse (on the 2-core
 * development machine at load 9: 77 samples/s on 2 threads against 579 on 1), so a baseline
 * measured on a busy machine says nothing about either side.
 */
export function busyWarning(): string | undefined {
  const [one] = os.loadavg();
  const cores = os.availableParallelism();
  return one > cores / 2 ? `WARNING: load ${one.toFixed(2)} on ${cores} cores: busy machine, these numbers are not comparable (measure on a quiet one)` : undefined;
}
