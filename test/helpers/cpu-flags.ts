// The CPU's feature flags as the Linux kernel reports them (/proc/cpuinfo; empty elsewhere): what
// tests check the addon's own probes against, independently of them.
import { existsSync, readFileSync } from 'node:fs';

export function cpuFlags(): string[] {
  if (!existsSync('/proc/cpuinfo')) return [];
  return readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1].trim().split(/\s+/) ?? [];
}

/** Whether a DNNL_MAX_CPU_ISA / ONEDNN_MAX_CPU_ISA caps oneDNN below what the flags say. */
export const oneDnnIsaCapped = (): boolean => process.env.DNNL_MAX_CPU_ISA !== undefined || process.env.ONEDNN_MAX_CPU_ISA !== undefined;
