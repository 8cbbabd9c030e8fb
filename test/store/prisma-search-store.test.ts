// The searches-and-trials store on every backend: records, the scheduling commit's optimistic
// lock, and the trials' compare-and-set.
import { expect, it } from 'vitest';
import type { NewTrial } from '../../src/ports/search-store.js';
import { describeBackends, epoch, spec, summary, trial } from './backends.js';

describeBackends('search store', ({ backend, open, seeded }) => {
  it('creates, gets and lists searches', async () => {
    const store = await open();
    const created = await store.createSearch({ id: 's1', name: 'first', spec });
    expect(created).toMatchObject({ id: 's1', name: 'first', status: 'queued', version: 0, error: null, bestTrialId: null, bestModelId: null, finishedAt: null });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(await store.getSearch('s1')).toEqual(created); // spec included, as JSON
    expect(await store.getSearch('nope')).toBeNull();
    await store.createSearch({ id: 's2', name: 'second', spec });
    expect((await store.listSearches()).map((s) => s.id).sort()).toEqual(['s1', 's2']);
  });

  it('keeps a search\'s tenant and lists one tenant\'s searches', async () => {
    const store = await open();
    await store.createSearch({ id: 'a1', name: 'n', spec, tenant: 'alpha' });
    await store.createSearch({ id: 'b1', name: 'n', spec, tenant: 'beta' });
    await store.createSearch({ id: 'x1', name: 'n', spec });
    expect((await store.getSearch('a1'))?.tenant).toBe('alpha');
    expect((await store.getSearch('x1'))?.tenant).toBeNull();
    expect((await store.listSearches({ tenant: 'beta' })).map((s) => s.id)).toEqual(['b1']);
    expect(await store.listSearches()).toHaveLength(3);
  });
  it('commitSchedule applies the patch and inserts trials at the expected version only', async () => {
    const store = await open();
    await store.createSearch({ id: 's', name: 'n', spec });
    expect(await store.commitSchedule('s', 0, { status: 'running' }, [trial(0), trial(1)])).toBe(true);
    const after = await store.getSearch('s');
    expect(after).toMatchObject({ status: 'running', version: 1 });

    // A stale version: nothing changes, nothing is inserted.
    const finishedAt = new Date();
    expect(await store.commitSchedule('s', 0, { status: 'completed', finishedAt }, [trial(2)])).toBe(false);
    expect(await store.getSearch('s')).toEqual(after);
    expect((await store.listTrials('s')).map((t) => t.id)).toEqual(['t0', 't1']);
    expect(await store.commitSchedule('missing', 0, {}, [trial(9)])).toBe(false);

    expect(await store.commitSchedule('s', 1, { status: 'completed', finishedAt, bestTrialId: 't1' }, [])).toBe(true);
    expect(await store.getSearch('s')).toMatchObject({ status: 'completed', version: 2, bestTrialId: 't1', finishedAt });
  });

  it('commitSchedule is atomic, and a rollback keeps concurrent writes', async () => {
    const store = await seeded();
    // Epochs written back to back while the doomed transaction is open must not be rolled back
    // with it (on SQLite they would share its connection unless the store serializes them).
    let done = false;
    let written = 0;
    const writer = (async () => {
      while (!done && written < 500) await store.recordEpoch(epoch('t0', written++));
    })();
    // A duplicate trial number fails the insert after the version bump: all of it rolls back.
    await expect(store.commitSchedule('s', 1, { status: 'running' }, [trial(1), trial(0, 'dup-number')])).rejects.toThrow();
    done = true;
    await writer;
    expect(await store.getSearch('s')).toMatchObject({ status: 'queued', version: 1 });
    const trials = await store.listTrialsWithEpochs('s');
    expect(trials.map((t) => t.id)).toEqual(['t0']);
    expect(trials[0].epochs).toHaveLength(written);
  });

  it('lets exactly one of two concurrent commits at the same version win', async () => {
    const url = backend.newUrl();
    const [a, b] = [await open(url), await open(url)];
    await a.createSearch({ id: 's', name: 'n', spec });
    const results = await Promise.all([a.commitSchedule('s', 0, {}, [trial(0, 'a0')]), b.commitSchedule('s', 0, {}, [trial(0, 'b0')])]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await a.listTrials('s')).toHaveLength(1);
    expect((await a.getSearch('s'))!.version).toBe(1);
  });

  it('listTrialsSince returns the trials after a number and those named, by number', async () => {
    const store = await open();
    await store.createSearch({ id: 's', name: 'n', spec });
    await store.createSearch({ id: 'other', name: 'n', spec });
    expect(await store.commitSchedule('s', 0, {}, [0, 1, 2, 3, 4, 5].map((n) => trial(n)))).toBe(true);
    expect(await store.commitSchedule('other', 0, {}, [trial(4, 'o4'), trial(5, 'o5')])).toBe(true);
    const numbers = async (after: number, named: number[]) => (await store.listTrialsSince('s', after, named)).map((t) => t.number);
    expect(await numbers(3, [])).toEqual([4, 5]);
    expect(await numbers(3, [2, 0])).toEqual([0, 2, 4, 5]);
    expect(await numbers(5, [])).toEqual([]);
    expect(await numbers(-1, [])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await store.listTrialsSince('s', 4, [1])).toEqual((await store.listTrials('s')).filter((t) => t.number === 1 || t.number === 5));
  });

  it('updateTrialIf is a compare-and-set on the status', async () => {
    const store = await seeded();
    const startedAt = new Date(Date.now() - 1234);
    expect(await store.updateTrialIf('t0', ['waiting'], { status: 'running', startedAt, attempts: 1, backend: 'wasm' })).toBe(true);
    expect(await store.updateTrialIf('t0', ['waiting'], { status: 'running', attempts: 2 })).toBe(false);
    expect(await store.updateTrialIf('t0', [], { status: 'failed' })).toBe(false);
    expect(await store.updateTrialIf('missing', ['waiting'], { status: 'running' })).toBe(false);
    expect(await store.getTrial('t0')).toMatchObject({ status: 'running', startedAt, attempts: 1, backend: 'wasm', modelId: null, latencyMs: null });
    expect(await store.updateTrialIf('t0', ['running'], { status: 'completed', valAccuracy: 0.875, latencyMs: 0.4375, finishedAt: new Date() })).toBe(true);
    expect(await store.getTrial('t0')).toMatchObject({ status: 'completed', valAccuracy: 0.875, latencyMs: 0.4375 });
    expect((await store.findTrials(['completed'])).map((t) => t.id)).toEqual(['t0']);
    expect(await store.findTrials(['waiting', 'running'])).toEqual([]);
    expect(await store.getTrial('missing')).toBeNull();
  });
  it('stores how a trial trains (promotion fields, source) and the search\'s pending warm starts', async () => {
    const store = await seeded();
    const promoted: NewTrial = { ...trial(1), targetEpochs: 9, initialEpoch: 3, parentTrialId: 't0', bracket: 2, rung: 1, source: 'oracle' };
    const pending = [{ units: 64, lr: 0.01, opt: 'sgd', bn: false }];
    expect(await store.commitSchedule('s', 1, { pendingTrials: pending }, [promoted])).toBe(true);
    expect(await store.getTrial('t1')).toMatchObject({ targetEpochs: 9, initialEpoch: 3, parentTrialId: 't0', bracket: 2, rung: 1, source: 'oracle', value: null });
    expect(await store.getTrial('t0')).toMatchObject({ targetEpochs: null, initialEpoch: 0, parentTrialId: null, source: 'oracle' });
    expect((await store.getSearch('s'))!.pendingTrials).toEqual(pending);
    expect(await store.commitSchedule('s', 2, { pendingTrials: [] }, [])).toBe(true);
    expect((await store.getSearch('s'))!.pendingTrials).toEqual([]);
    expect(await store.updateTrialIf('t1', ['waiting'], { value: 0.25, targetEpochs: 5 })).toBe(true);
    expect(await store.getTrial('t1')).toMatchObject({ value: 0.25, targetEpochs: 5 });
    expect((await store.listSearches({ statuses: ['running', 'queued'] })).map((s) => s.id)).toEqual(['s']);
    expect(await store.listSearches({ statuses: ['completed'] })).toEqual([]);
  });

  it('lists trials by number with their epochs in order and their model id', async () => {
    const store = await seeded([trial(2), trial(0)]);
    await store.commitSchedule('s', 1, {}, [trial(1)]);
    for (const n of [2, 0, 1]) await store.recordEpoch(epoch('t1', n));
    await store.recordEpoch(epoch('t2', 0));
    const artifact = { modelTopology: {}, weightSpecs: [], weightData: new Uint8Array([1]) };
    const model = await store.saveModel({ id: 'm1', searchId: 's', trialId: 't1', summary, artifact });

    const trials = await store.listTrialsWithEpochs('s');
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2]);
    expect(trials.map((t) => t.epochs.map((e) => e.epoch))).toEqual([[], [0, 1, 2], [0]]);
    expect(trials.map((t) => t.modelId)).toEqual([null, model.id, null]);
    expect(await store.listEpochs('t1')).toEqual(trials[1].epochs); // one trial's epochs, same order
    expect(trials[1].hyperparameters).toEqual(trial(1).hyperparameters);
    expect((await store.listTrials('s')).map((t) => [t.number, t.modelId])).toEqual([[0, null], [1, 'm1'], [2, null]]);
  });
});
