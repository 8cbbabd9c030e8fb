// Resident memory of the service's processes, from /proc, sampled while a benchmark runs.
import { readFileSync } from 'node:fs';
import { descendants } from '../test/support/process-tree.js';

/** VmRSS of a process in KiB, or null once it has gone. */
export function rssKiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export interface RssSample { t: number; self: number | null; children: number }

/** Samples a process's RSS and its descendants' (KiB) every intervalMs until stopped. */
export class RssSampler {
  readonly samples: RssSample[] = [];
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly pid: number, intervalMs = 1000) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }
  sample(): RssSample {
    const children = descendants(this.pid).reduce((sum, p) => sum + (rssKiB(p) ?? 0), 0);
    const s = { t: Date.now(), self: rssKiB(this.pid), children };
    this.samples.push(s);
    return s;
  }
  stop(): RssSample[] {
    clearInterval(this.timer);
    return this.samples;
  }
}
