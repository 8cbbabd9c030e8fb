// Keras Tuner's Hyperband schedule (kerastuner/tuners/hyperband.py): brackets of rounds, each round
// training `size` configurations for `epochs`, the best 1/factor of a round promoted to the next.
// Pure arithmetic shared by the hyperband algorithm, the spec defaults and the benchmark.

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
export function hyperbandBrackets(maxEpochs: number, factor: number): HyperbandBracket[] {
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

/** Trials a full run creates: every round of every bracket, each promotion a trial of its own (as in Keras Tuner). */
export function hyperbandTrialCount(maxEpochs: number, factor: number, iterations: number): number {
  const perIteration = hyperbandBrackets(maxEpochs, factor).reduce((n, b) => n + b.rounds.reduce((m, r) => m + r.size, 0), 0);
  return perIteration * iterations;
}

/** New configurations a full run samples: the first round of every bracket (Hyperband's maxTrials counts these). */
export function hyperbandConfigCount(maxEpochs: number, factor: number, iterations: number): number {
  return hyperbandBrackets(maxEpochs, factor).reduce((n, b) => n + b.rounds[0].size, 0) * iterations;
}
