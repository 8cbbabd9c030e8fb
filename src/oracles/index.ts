import type { AlgorithmName } from '../domain/search-spec.js';
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
  // Multi-fidelity algorithms sample their new configurations at random, as Keras Tuner's Hyperband does.
  hyperband: () => new RandomOracle(),
  asha: () => new RandomOracle(),
};

const PROMOTERS: Partial<Record<AlgorithmName, () => Promoter>> = {
  hyperband: () => new HyperbandPromoter(),
  asha: () => new AshaPromoter(),
};

export const createAlgorithm = (name: AlgorithmName): Algorithm => ({ oracle: ORACLES[name](), promoter: PROMOTERS[name]?.() });
export type { Oracle, OracleInput, PastTrial } from '../domain/oracle.js';
