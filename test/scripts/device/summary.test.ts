// The device run's summary (scripts/device/summary.mjs): figures come only from what the steps
// printed, and a step that did not run has none.
import { describe, expect, it } from 'vitest';

const mod = new URL('../../../scripts/device/summary.mjs', import.meta.url).href;
const { summarize, trainFigures, sweepFigures, vitestFigures, notebookFigures } = (await import(mod)) as Record<string, (...a: any[]) => any>;

describe('summary figures', () => {
  it("reads bench:train's JSON lines into rates and the targets' ratios", () => {
    const log = [
      '{"repeat":1,"engine":"pytorch","batch":32,"device":"cuda","samplesPerSecond":20000.4}',
      '{"repeat":1,"engine":"cuda","batch":32,"samplesPerSecond":6000}',
      '{"repeat":1,"engine":"webgpu","batch":32,"samplesPerSecond":400}',
      '| 32 | cuda | 6000 | 0.30 |',
    ].join('\n');
    const f = trainFigures(log);
    expect(f.samplesPerSecond).toEqual({ 'pytorch-cuda': { 32: 20000 }, cuda: { 32: 6000 }, webgpu: { 32: 400 } });
    expect(f.cudaOverPytorch).toEqual({ 32: 0.3 });
    expect(f.cudaOverWebgpu).toEqual({ 32: 15 });
  });

  it('says unavailable rather than inventing a rate', () => {
    const f = trainFigures('{"engine":"cuda","batch":32,"unavailable":"not built yet"}');
    expect(f.samplesPerSecond.cuda[32]).toBe('unavailable: not built yet');
    expect(f.cudaOverWebgpu[32]).toBeUndefined();
  });

  it("reads the sweep's aggregate and its gain over one process", () => {
    const f = sweepFigures('{"processes":1,"aggregateSamplesPerSecond":100}\n{"processes":2,"aggregateSamplesPerSecond":180}');
    expect(f).toEqual({ aggregateSamplesPerSecond: { 1: 100, 2: 180 }, overOneProcess: { 1: 1, 2: 1.8 } });
  });

  it("reads vitest's counts and the notebook's closing line", () => {
    expect(vitestFigures(' Test Files  2 passed (2)\n      Tests  14 passed | 1 failed (15)\n')).toEqual({ files: { passed: 2 }, tests: { passed: 14, failed: 1 } });
    const line = 'search completed in 1.8 min (notebook: 34.5 min); best trial 3 val_accuracy 0.9012; its model on the 10,000 test images: 0.8950';
    expect(notebookFigures(`| 1 | {} | cuda | 0.9 | 0.9 | 0.3 |\n${line}`)).toEqual({ status: 'completed', minutes: 1.8, bestTrial: 3, bestValAccuracy: 0.9012, testAccuracy: 0.895, trials: 1 });
    // The default device pack has no test images: the search's figures still count.
    const unscored = 'search completed in 1.8 min (notebook: 34.5 min); best trial 3 val_accuracy 0.9012; its model on the test images: not scored (no t10k files)';
    expect(notebookFigures(unscored)).toEqual({ status: 'completed', minutes: 1.8, bestTrial: 3, bestValAccuracy: 0.9012, trials: 0 });
  });

  it('gives skipped steps no figures', () => {
    const steps = '{"nn":"03","step":"train","status":"skipped","seconds":0,"exit":null,"reason":"not built yet","log":"03-train.log"}\n';
    expect(summarize(steps, () => '{"engine":"cuda","batch":32,"samplesPerSecond":1}')).toEqual([
      { nn: '03', step: 'train', status: 'skipped', seconds: 0, exit: null, reason: 'not built yet', log: '03-train.log' },
    ]);
  });
});
