// Child-process entry run once at worker start: resolves TRAINING_BACKEND (measuring the
// candidates for 'auto', checking an explicit one comes up and trains) and reports the result to the parent.
// A child, because the probe initializes tfjs backends the long-lived worker should not hold.
import { loadConfig } from '../src/config.js';
import { initBackend } from '../src/training/backend.js';
import { defaultProbeOptions, probeFastest, probeRate, type ProbeResult } from '../src/training/backend-probe.js';

const config = loadConfig();
// It measures what trials will run: their processes only train (OpenMpWait 'spin').
const options = defaultProbeOptions({ threads: config.trainingThreads, openMpWait: 'spin' });
let result: ProbeResult | { error: string };
try {
  if (config.trainingBackend === 'auto') {
    result = await probeFastest(options);
  } else {
    const chosen = await initBackend(config.trainingBackend, options);
    // Nothing to choose: a few steps prove it trains (a backend can come up and still fail to),
    // without spending the full measuring budget at every worker start.
    const rate = await probeRate({ ...options, budgetMs: 0 });
    result = { chosen, entries: [{ name: chosen.name, detail: chosen.detail, samplesPerSecond: Math.round(rate * 10) / 10 }] };
  }
} catch (err) {
  result = { error: (err as Error).message };
}
process.send?.(result, () => process.exit(0));
