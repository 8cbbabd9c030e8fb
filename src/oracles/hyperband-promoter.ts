// Hyperband as Keras Tuner runs it (keras_tuner/tuners/hyperband.py), derived from the stored history
// on every call. Encoding: a trial's `bracket` numbers its bracket over the whole run,
// iteration * bracketsPerIteration + position, where position 0 is an iteration's most exploratory
// bracket (hyperbandBrackets' order); so bracket k runs hyperbandBrackets(...)[k % bracketsPerIteration].
// A trial's `rung` is its round within that bracket.
import { hyperbandBrackets, type HyperbandRound } from '../domain/hyperband-brackets.js';
import { isBetter } from '../domain/objective.js';
import type { Promoter, PromoterInput, RungTrial, TrialProposal } from '../domain/oracle.js';
import { isFinalTrialStatus } from '../domain/trial-state.js';

/** Best first by value; a trial without a value ranks last; ties keep history order (sort is stable). */
export function rankByValue(trials: RungTrial[], direction: 'max' | 'min'): RungTrial[] {
  const v = (t: RungTrial) => t.value ?? Number.NaN;
  return [...trials].sort((a, b) => (isBetter(v(a), v(b), direction) ? -1 : isBetter(v(b), v(a), direction) ? 1 : 0));
}

/** A trial continuing `parent`'s weights in the next round or rung. */
export const promotion = (parent: RungTrial, targetEpochs: number, rung: number, bracket?: number): TrialProposal => ({
  hyperparameters: parent.hyperparameters, parentTrialId: parent.id, initialEpoch: parent.targetEpochs, targetEpochs, rung,
  ...(bracket === undefined ? {} : { bracket }),
});

/** What one call works with: the room left and whether the sampler has run dry (for good: see sample()). */
interface Call {
  input: PromoterInput;
  count: number;
  proposals: TrialProposal[];
  promoted: Set<string>;
  exhausted: boolean;
}

export class HyperbandPromoter implements Promoter {
  propose(input: PromoterInput, count: number): TrialProposal[] {
    const { settings } = input;
    const schedule = hyperbandBrackets(settings.maxEpochs!, settings.factor ?? 3, settings.brackets);
    const total = schedule.length * (settings.hyperbandIterations ?? 1);
    const byBracket = new Map<number, RungTrial[]>();
    for (const t of input.history) {
      if (t.bracket === null || t.rung === null || t.bracket < 0 || t.bracket >= total) continue;
      if (!byBracket.has(t.bracket)) byBracket.set(t.bracket, []);
      byBracket.get(t.bracket)!.push(t);
    }
    const call: Call = {
      input, count, proposals: [], exhausted: false,
      promoted: new Set(input.history.flatMap((t) => (t.parentTrialId ? [t.parentTrialId] : []))),
    };
    // Brackets in order, as Keras Tuner's populate_space walks them: an earlier bracket's rounds come
    // first; a later bracket opens only once the earlier ones have nothing to propose (their round 0
    // full or the sampler dry, the rest waiting on running trials), which keeps parallel workers busy.
    for (let k = 0; k < total && call.proposals.length < count; k++) this.advance(call, k, schedule[k % schedule.length].rounds, byBracket.get(k) ?? []);
    return call.proposals;
  }

  /** Proposes what bracket k can run now. */
  private advance(call: Call, k: number, rounds: HyperbandRound[], trials: RungTrial[]): void {
    const left = () => call.count - call.proposals.length;
    // Round 0: `size` new configurations, fewer when the sampler runs dry (space or maxTrials spent).
    const first = trials.filter((t) => t.rung === 0);
    let added = 0;
    if (first.length < rounds[0].size && !call.exhausted) {
      const want = Math.min(rounds[0].size - first.length, left());
      if (want > 0) {
        const values = call.input.sample(want);
        // sample() gives fewer than asked only when no configuration will ever come again.
        if (values.length < want) call.exhausted = true;
        for (const hyperparameters of values)
          call.proposals.push({ hyperparameters, targetEpochs: rounds[0].epochs, initialEpoch: 0, bracket: k, rung: 0 });
        added = values.length;
      }
    }
    const firstClosed = first.length + added >= rounds[0].size || call.exhausted;
    // A round is settled when all its members exist and have finished; only then is it ranked.
    let settled = firstClosed && added === 0 && first.every((t) => isFinalTrialStatus(t.status));
    let previous = first;
    for (let r = 1; r < rounds.length; r++) {
      if (!settled) return;
      const chosen = rankByValue(previous.filter((t) => t.status === 'completed'), call.input.direction).slice(0, rounds[r].size);
      let pending = 0;
      for (const parent of chosen) {
        if (call.promoted.has(parent.id)) continue;
        if (left() === 0) {
          pending++;
          continue;
        }
        call.promoted.add(parent.id);
        call.proposals.push(promotion(parent, rounds[r].epochs, r, k));
        pending++;
      }
      const members = trials.filter((t) => t.rung === r);
      settled = pending === 0 && members.every((t) => isFinalTrialStatus(t.status));
      previous = members;
    }
  }
}
