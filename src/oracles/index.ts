import type { AlgorithmName, AlgorithmSettings } from '../domain/algorithms.js';
import { GridOracle } from './grid-oracle.js';
import type { Oracle, Promoter } from '../domain/oracle.js';
import type { Algorithm } from '../domain/schedule.js';
import { AshaPromoter } from './asha-promoter.js';
import { HyperbandPromoter } from './hyperband-promoter.js';
import { RandomOracle } from './random-oracle.js';
import { TpeOracle } from './tpe-oracle.js';

const ORACLES: Record<AlgorithmName, () => Oracle> = {
  random: () => new RandomOracle(),
  grid: () => new GridOracle(),
  bayesian: () => new TpeOracle(),
  // Multi-fidelity algorithms sample their new configurations with their `sampler` (below).
  hyperband: () => new RandomOracle(),
  asha: () => new RandomOracle(),
};

const PROMOTERS: Partial<Record<AlgorithmName, () => Promoter>> = {
  hyperband: () => new HyperbandPromoter(),
  asha: () => new AshaPromoter(),
};

/** A search's algorithm from its settings (a bare name: that algorithm's defaults). */
export function createAlgorithm(settings: AlgorithmName | Pick<AlgorithmSettings, 'name' | 'sampler'>): Algorithm {
  const { name, sampler } = typeof settings === 'string' ? { name: settings, sampler: undefined } : settings;
  const oracle = sampler === 'tpe' ? new TpeOracle() : ORACLES[name]();
  return { oracle, promoter: PROMOTERS[name]?.() };
}
export type { Oracle, OracleInput, PastTrial } from '../domain/oracle.js';
