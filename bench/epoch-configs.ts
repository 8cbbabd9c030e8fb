// The configurations bench:epochs measures: the notebook template's five hyperparameters that
// shape the model (learning rate only changes the numbers, not the work), written compactly as
// "64k3-48k3-48" (conv 1 filters k kernel, conv 2 filters k kernel, dense units), optionally
// "@0.01" for the learning rate. Presets name the samples issue 17 asks for.

export interface EpochConfig { conv1: number; k1: number; conv2: number; k2: number; dense: number; lr: number }

/** The five configurations of issue 17's table (the notebook's seed-42 search). */
export const ISSUE_17 = ['32k3-32k5-64', '128k5-48k3-48', '80k5-32k3-112', '128k3-32k3-128', '96k3-48k3-48'];

/**
 * The search space's corners, sampled: conv 1 filters 32 and 128, conv 2 filters 32 and 64, kernels
 * 3 and 5, dense 32 and 128, each extreme of each dimension twice (all 32 corners: `all-corners`).
 */
export const CORNERS = ['32k3-32k3-32', '128k5-64k5-128', '128k3-32k5-32', '32k5-64k3-128'];

const PRESETS: Record<string, () => string[]> = {
  issue17: () => ISSUE_17,
  corners: () => CORNERS,
  'all-corners': () => {
    const out: string[] = [];
    for (const c1 of [32, 128]) for (const k1 of [3, 5]) for (const c2 of [32, 64]) for (const k2 of [3, 5]) for (const d of [32, 128]) out.push(`${c1}k${k1}-${c2}k${k2}-${d}`);
    return out;
  },
};

const FORM = /^(\d+)k(\d+)-(\d+)k(\d+)-(\d+)(?:@([0-9.e-]+))?$/;

export function parseConfig(s: string): EpochConfig {
  const m = FORM.exec(s.trim());
  if (!m) throw new Error(`configuration '${s}': expected CONV1kK1-CONV2kK2-DENSE[@LR], e.g. 64k3-48k3-48`);
  const [conv1, k1, conv2, k2, dense] = m.slice(1, 6).map(Number);
  const lr = m[6] === undefined ? 0.001 : Number(m[6]);
  if ([conv1, conv2, dense].some((n) => n < 1)) throw new Error(`configuration '${s}': filters and units must be at least 1`);
  if ([k1, k2].some((k) => k < 1) || k1 + k2 - 2 >= 28) throw new Error(`configuration '${s}': kernels must be at least 1 and leave a 28x28 image at least 1x1`);
  if (!(lr > 0)) throw new Error(`configuration '${s}': learning rate must be positive`);
  return { conv1, k1, conv2, k2, dense, lr };
}

/** A comma-separated list of configurations and preset names, without duplicates, in order. */
export function parseConfigList(arg: string): EpochConfig[] {
  const names = arg.split(',').map((s) => s.trim()).filter(Boolean).flatMap((s) => PRESETS[s]?.() ?? [s]);
  if (!names.length) throw new Error('no configurations given');
  const seen = new Set<string>();
  return names.map(parseConfig).filter((c) => {
    const key = configLabel(c);
    return !seen.has(key) && (seen.add(key), true);
  });
}

export const configLabel = (c: EpochConfig) => `${c.conv1}/k${c.k1}, ${c.conv2}/k${c.k2}, ${c.dense}${c.lr === 0.001 ? '' : `, lr ${c.lr}`}`;

/** The notebook template's hyperparameters for `c`. */
export const toHyperparameters = (c: EpochConfig) => ({
  conv_1_filter: c.conv1, conv_1_kernel: c.k1, conv_2_filter: c.conv2, conv_2_kernel: c.k2, dense_1_units: c.dense, learning_rate: c.lr,
});

/** Service speed ÷ PyTorch's from their times for the same work: above 1, the service is faster. */
export const speedRatio = (serviceSeconds: number, pytorchSeconds: number) => pytorchSeconds / serviceSeconds;
