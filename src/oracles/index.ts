import { isMultiFidelity, type AlgorithmName, type AlgorithmSettings, type SamplerName } from '../domain/algorithms.js';
import { GridOracle } from './grid-oracle.js';
import type { Oracle, Promoter } from '../domain/oracle.js';
import type { Algorithm } from '../domain/schedule.js';
import { AshaPromoter } from './asha-promoter.js';
import { HyperbandPromoter } from './hyperband-promoter.js';
import { RandomOracle } from './random-oracle.js';
import { TpeOracle } from './tpe-oracle.js';

/** What samples new configurations: the algorithm itself, or for hyperband and asha their `sampler`. */
const ORACLES: Record<Exclude<AlgorithmName, 'hyperband' | 'asha'>, () => Oracle> = {
  random: () => new RandomOracle(),
  grid: () => new GridOracle(),
  bayesian: () => new TpeOracle(),
};
const SAMPLERS: Record<SamplerName, () => Oracle> = {
  random: () => new RandomOracle(),
  tpe: () => new TpeOracle(),
};

const PROMOTERS: Partial<Record<AlgorithmName, () => Promoter>> = {
  hyperband: () => new HyperbandPromoter(),
  asha: () => new AshaPromoter(),
};

/** A search's algorithm from its (normalized) settings. */
export function createAlgorithm({ name, sampler }: Pick<AlgorithmSettings, 'name' | 'sampler'>): Algorithm {
  // A hyperband or asha search stored before samplers existed has none: it sampled at random.
  const oracle = isMultiFidelity(name) ? SAMPLERS[sampler ?? 'random']() : ORACLES[name]();
  return { oracle, promoter: PROMOTERS[name]?.() };
}
export type { Oracle, OracleInput, PastTrial } from '../domain/oracle.js';
