// What the CLI's views need from a stored search spec: hyperparameter names in spec order (the
// table's columns), how wide their values get, the epochs per trial and the objective.
import { fmtValue } from './format.js';

export interface SpecInfo {
  hpNames: string[];
  /** Widest formatted value per hyperparameter, where the spec bounds it. */
  hpWidths: Record<string, number>;
  epochs: number | undefined;
  metric: string;
  direction: string;
  maxTrials: number | undefined;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function specInfo(spec: unknown): SpecInfo {
  const s = obj(spec);
  const hps = Array.isArray(s.hyperparameters) ? s.hyperparameters.map(obj) : [];
  const hpNames = hps.map((hp) => hp.name).filter((n): n is string => typeof n === 'string');
  const hpWidths: Record<string, number> = {};
  for (const hp of hps) if (typeof hp.name === 'string') hpWidths[hp.name] = valueWidth(hp);
  return {
    hpNames, hpWidths,
    epochs: num(obj(s.training).epochs),
    metric: typeof obj(s.objective).metric === 'string' ? (obj(s.objective).metric as string) : 'val_accuracy',
    direction: typeof obj(s.objective).direction === 'string' ? (obj(s.objective).direction as string) : 'max',
    maxTrials: num(obj(s.budget).maxTrials),
  };
}

function valueWidth(hp: Obj): number {
  const width = (vs: unknown[]) => Math.max(...vs.map((v) => fmtValue(v).length));
  switch (hp.type) {
    case 'choice': return Array.isArray(hp.values) && hp.values.length ? width(hp.values) : 8;
    case 'int': return width([hp.min, hp.max]);
    case 'float': return Math.max(7, width([hp.min, hp.max]));
    case 'boolean': return 5;
    case 'fixed': return width([hp.value]);
    default: return 8;
  }
}
