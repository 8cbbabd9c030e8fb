// The two narrow reads GET /searches/:id/events polls, on every backend: a search without its
// spec, and the epochs of a few trials.
import { expect, it } from 'vitest';
import { describeBackends, epoch, trial } from './backends.js';

describeBackends('progress reads', ({ seeded }) => {
  it('getSearchState is getSearch without the spec', async () => {
    const store = await seeded();
    await store.commitSchedule('s', 1, { status: 'running', pendingTrials: [{ units: 8 }] }, []);
    const { spec: _, ...rest } = (await store.getSearch('s'))!;
    const state = await store.getSearchState('s');
    expect(state).toEqual(rest);
    expect(state).not.toHaveProperty('spec');
    expect(await store.getSearchState('nope')).toBeNull();
  });

  it('listEpochsOf reads only the trials asked, each in order, as listTrialsWithEpochs does', async () => {
    const store = await seeded([trial(0), trial(1), trial(2)]);
    for (const t of ['t2', 't0', 't1']) for (const ex of [1, 0]) for (const n of [2, 1]) await store.recordEpoch(epoch(t, n, 0.5, ex));
    const got = await store.listEpochsOf(['t2', 't0']);
    const all = await store.listTrialsWithEpochs('s');
    expect(got.filter((e) => e.trialId === 't0')).toEqual(all[0].epochs);
    expect(got.filter((e) => e.trialId === 't2')).toEqual(all[2].epochs);
    expect(got).toHaveLength(8);
    expect(await store.listEpochsOf([])).toEqual([]);
  });
});
