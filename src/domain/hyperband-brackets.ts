// Hyperband's schedule: brackets of rounds, each round training `size` configurations for
// `epochs`, the best 1/factor of a round promoted to the next. Two sizings: Keras Tuner's
// (keras_tuner/tuners/hyperband.py, the default: a product that is Keras Tuner as a service keeps its
// arithmetic) and the paper's (Li et al. 2018, Algorithm 1), whose exploratory brackets start many
// more configurations (for 9 epochs and factor 3: 9, 5 and 3 against Keras Tuner's 3, 3 and 3).
// Pure arithmetic shared by the hyperband algorithm, the spec defaults and the benchmark.
import type { BracketSizing } from './algorithms.js';

export interface HyperbandRound { size: number; epochs: number }
export interface HyperbandBracket { bracket: number; rounds: HyperbandRound[] }

/** Brackets as Keras Tuner counts them: while epochs >= 1, divide by factor. */
export function bracketCount(maxEpochs: number, factor: number): number {
  let epochs = maxEpochs;
  let brackets = 0;
  while (epochs >= 1) {
    epochs /= factor;
    brackets++;
  }
  return brackets;
}

/** One iteration's brackets, most exploratory (most configurations, fewest epochs) first, as Keras Tuner runs them. */
export function hyperbandBrackets(maxEpochs: number, factor: number, sizing: BracketSizing = 'keras-tuner'): HyperbandBracket[] {
  return sizing === 'paper' ? paperBrackets(maxEpochs, factor) : kerasTunerBrackets(maxEpochs, factor);
}

function kerasTunerBrackets(maxEpochs: number, factor: number): HyperbandBracket[] {
  const count = bracketCount(maxEpochs, factor);
  // The 1e-9 keeps log(9)/log(3) from landing a hair above 2 and adding a configuration.
  const bracket0EndSize = Math.ceil(1 + Math.log(maxEpochs) / Math.log(factor) - 1e-9);
  const brackets: HyperbandBracket[] = [];
  for (let bracket = count - 1; bracket >= 0; bracket--) {
    const endSize = bracket0EndSize / factor ** bracket;
    const rounds: HyperbandRound[] = [];
    for (let round = 0; round <= bracket; round++) {
      rounds.push({
        size: Math.ceil(endSize * factor ** (bracket - round) - 1e-9),
        epochs: Math.ceil(maxEpochs / factor ** (bracket - round) - 1e-9),
      });
    }
    brackets.push({ bracket, rounds });
  }
  return brackets;
}

/**
 * Li et al.'s Algorithm 1 with R = maxEpochs, eta = factor: s_max = floor(log_eta R), B = (s_max + 1) R;
 * bracket s starts n = ceil(B / R * eta^s / (s + 1)) configurations at R eta^-s epochs, and round i
 * keeps floor(n eta^-i) of them for R eta^(i-s) epochs (rounded up to whole epochs, as above).
 * Brackets with the same count as Keras Tuner's (while epochs >= 1, divide by factor).
 */
function paperBrackets(maxEpochs: number, factor: number): HyperbandBracket[] {
  const sMax = bracketCount(maxEpochs, factor) - 1;
  const brackets: HyperbandBracket[] = [];
  for (let s = sMax; s >= 0; s--) {
    const n = Math.ceil(((sMax + 1) * factor ** s) / (s + 1) - 1e-9);
    const rounds: HyperbandRound[] = [];
    for (let i = 0; i <= s; i++)
      rounds.push({ size: Math.max(1, Math.floor(n / factor ** i + 1e-9)), epochs: Math.ceil(maxEpochs / factor ** (s - i) - 1e-9) });
    brackets.push({ bracket: s, rounds });
  }
  return brackets;
}

/** Trials a full run creates: every round of every bracket, each promotion a trial of its own (as in Keras Tuner). */
export function hyperbandTrialCount(maxEpochs: number, factor: number, iterations: number, sizing: BracketSizing = 'keras-tuner'): number {
  const perIteration = hyperbandBrackets(maxEpochs, factor, sizing).reduce((n, b) => n + b.rounds.reduce((m, r) => m + r.size, 0), 0);
  return perIteration * iterations;
}

/** New configurations a full run samples: the first round of every bracket (Hyperband's maxTrials counts these). */
export function hyperbandConfigCount(maxEpochs: number, factor: number, iterations: number, sizing: BracketSizing = 'keras-tuner'): number {
  return hyperbandBrackets(maxEpochs, factor, sizing).reduce((n, b) => n + b.rounds[0].size, 0) * iterations;
}
