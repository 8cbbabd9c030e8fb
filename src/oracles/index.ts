import type { AlgorithmName } from '../domain/search-spec.js';
import { GridOracle } from './grid-oracle.js';
import type { Oracle } from '../domain/oracle.js';
import { RandomOracle } from './random-oracle.js';
import { TpeOracle } from './tpe-oracle.js';

const ORACLES: Record<AlgorithmName, () => Oracle> = {
  random: () => new RandomOracle(),
  grid: () => new GridOracle(),
  bayesian: () => new TpeOracle(),
};

export const createOracle = (name: AlgorithmName): Oracle => ORACLES[name]();
export type { Oracle, OracleInput, PastTrial, Suggestions } from '../domain/oracle.js';
