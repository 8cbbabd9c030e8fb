// A search's validation has a hard cost bound (issue 15): the lists it walks are capped, each cap a
// 400 naming the field and the limit, and within the caps the costliest search a client can send
// (test/fixtures/costly-search.ts) validates in well under the time a request may hold the loop.
import { describe, expect, it } from 'vitest';
import { MAX_LISTED_VALUES, validateSpace } from '../../src/domain/hyperparameters.js';
import { templateRefs } from '../../src/domain/model-template.js';
import { normalizeSpec, validateSpec, type SearchLimits } from '../../src/domain/search-spec.js';
import { checkTemplateConditions } from '../../src/domain/template-conditions.js';
import { DEFAULT_SEARCH_BODY } from '../../src/plugins/body-limits.js';
import { costlySearch, largestWithin } from '../fixtures/costly-search.js';

const LIMITS: SearchLimits = { maxTrialsPerSearch: 1000, maxEpochs: 500, maxParallelTrials: 64, maxParams: 50_000_000, maxBatchMemoryMb: 4096 };
const spec = (req: ReturnType<typeof costlySearch>) => normalizeSpec(req, () => 1);

/** The least CPU time of a few runs, in ms (the machine is shared: the least is the one least disturbed). */
function cpuMs(run: () => void, times = 5): number {
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

describe('the cost of validating a search', () => {
  it(`refuses more than ${MAX_LISTED_VALUES} choice values in all, naming the field and the cap`, () => {
    const req = costlySearch({ hps: 11, values: 1000, layers: 4 });
    expect(() => validateSpec(spec(req), LIMITS)).toThrow(`hyperparameters: list 11000 choice values in all, more than the limit of ${MAX_LISTED_VALUES}`);
  });

  it(`refuses more than ${MAX_LISTED_VALUES} values in conditions, the hyperparameters' and the layers' together`, () => {
    const hps = costlySearch({ hps: 12, values: 800, layers: 4 }); // 9,600 choice values, 8,800 in conditions
    expect(() => validateSpec(spec(hps), LIMITS)).not.toThrow();
    hps.model.layers[1].when = { hp: 'h0', in: hps.hyperparameters[0].type === 'choice' ? hps.hyperparameters[0].values.slice(0, 700) : [] };
    hps.model.layers[2].when = { hp: 'h1', in: hps.hyperparameters[1].type === 'choice' ? hps.hyperparameters[1].values.slice(0, 700) : [] };
    expect(() => validateSpec(spec(hps), LIMITS)).toThrow(`model.layers: with the hyperparameters, list 10200 values in their conditions' "in" in all, more than the limit of ${MAX_LISTED_VALUES}`);
  });

  it('validates the costliest search within the limits in under 100 ms of CPU', () => {
    const { shape, body } = largestWithin(DEFAULT_SEARCH_BODY.bytes, DEFAULT_SEARCH_BODY.values);
    const s = spec(JSON.parse(body));
    const ms = cpuMs(() => validateSpec(s, LIMITS));
    console.log(`costliest search ${JSON.stringify(shape)} (${(body.length / 1024).toFixed(0)} KiB): validated in ${ms.toFixed(1)} ms of CPU`);
    expect(shape.hps * shape.values).toBe(MAX_LISTED_VALUES); // the caps bind, not the body limits
    expect(ms).toBeLessThan(100);
  });

  // Each `in` value was looked up by a scan of its parent's values (9 conditions of 1,000 values
  // over parents of 1,000: 9 million steps), and each field's chain of parents rebuilt a set of
  // each condition's values at every step.
  it('checks conditions linearly: ten times the lists take nowhere near a hundred times as long', () => {
    const check = (req: ReturnType<typeof costlySearch>) => () => {
      validateSpace(req.hyperparameters);
      checkTemplateConditions(req.hyperparameters, req.model, templateRefs(req.model));
    };
    const [small, large] = [check(costlySearch({ hps: 10, values: 100, layers: 100 })), check(costlySearch({ hps: 10, values: 1000, layers: 100 }))];
    cpuMs(large, 2); // compiled before either is measured
    const [a, b] = [cpuMs(small, 7), cpuMs(large, 7)];
    console.log(`conditions of 10 x 100 values: ${a.toFixed(2)} ms, of 10 x 1000 values: ${b.toFixed(2)} ms`);
    expect(b).toBeLessThan(Math.max(12 * a, 10));
  });
});
