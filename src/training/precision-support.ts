// Where training.precision 'bf16' can train: the native backend (oneDNN) on a CPU whose effective
// oneDNN ISA has AVX512_BF16 (probed once by the addon). Light on purpose (no tfjs): the API and
// scheduler check requests with it, a trial checks its worker's backend with it before training.
import type { Precision, PrecisionSupport } from '../domain/precision.js';
import type { BackendSetting } from './backend-names.js';
import { loadAddon } from './native/addon.js';

const NEEDS = 'needs the native backend (oneDNN) on a CPU with AVX512_BF16';

/** Why the native addon cannot run bf16 on this host, or undefined when it can. */
export function nativeBf16UnavailableReason(): string | undefined {
  const { addon, reason } = loadAddon();
  if (!addon) return `the native backend is unavailable here (${reason})`;
  const info = addon.info();
  if (!info.bf16) return `this CPU has no AVX512_BF16 (oneDNN ${info.dnnl}'s effective ISA is 0x${info.isa.toString(16)})`;
  return undefined;
}

/** Why a trial cannot train in `precision` on `backend` (the worker's), or undefined when it can. */
export function precisionUnavailableReason(backend: string, precision: Precision): string | undefined {
  if (precision === 'fp32') return undefined;
  if (backend !== 'native') return `'${precision}' ${NEEDS}; this worker trains on '${backend}'`;
  const why = nativeBf16UnavailableReason();
  return why && `'${precision}' ${NEEDS}: ${why}`;
}

/**
 * What POST /searches can know from TRAINING_BACKEND: an explicit backend other than native never
 * runs bf16 (400); native is checked on this host's CPU (a deployment that sets it runs its workers
 * on like hosts; the API loads the addon for its predictions anyway); 'auto' lets each worker's
 * start-up probe choose, so only the trial can tell, and fails (not retried) where it cannot.
 */
export function deploymentPrecisionSupport(setting: BackendSetting): PrecisionSupport {
  return (precision) => {
    if (precision === 'fp32' || setting === 'auto') return undefined;
    if (setting !== 'native') return `'${precision}' ${NEEDS}; TRAINING_BACKEND is '${setting}'`;
    const why = nativeBf16UnavailableReason();
    return why && `'${precision}' ${NEEDS} (TRAINING_BACKEND is 'native'): ${why}`;
  };
}
