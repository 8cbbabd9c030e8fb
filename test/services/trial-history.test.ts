// The scheduler's incremental read of a search's trials, against both databases: after any mix of
// new trials, state changes and models, it equals a full read, while fetching only the trials that
// are new or were unfinished at the previous read.
import { expect, it } from 'vitest';
import { FINAL_TRIAL_STATUSES, type TrialStatus } from '../../src/domain/trial-state.js';
import type { SearchStore } from '../../src/ports/search-store.js';
import type { Store } from '../../src/ports/store.js';
import { TrialHistory } from '../../src/services/trial-history.js';
import { describeBackends, spec, summary, trial } from '../store/backends.js';

/** The real store, counting the rows each incremental read fetched. */
function counting(store: Store) {
  const fetched: number[] = [];
  const port: Pick<SearchStore, 'listTrialsSince'> = {
    listTrialsSince: async (...args) => {
      const rows = await store.listTrialsSince(...args);
      fetched.push(rows.length);
      return rows;
    },
  };
  return { port, fetched };
}

const artifact = { modelTopology: {}, weightSpecs: [], weightData: new Uint8Array(4) };

describeBackends('trial history', ({ open }) => {
  it('equals a full read after every step of a search, fetching only new and unfinished trials', async () => {
    const store = await open();
    await store.createSearch({ id: 's', name: 'n', spec });
    const { port, fetched } = counting(store);
    const history = new TrialHistory(port);
    let number = 0;
    let version = 0;
    const ends: TrialStatus[] = ['completed', 'pruned', 'failed', 'cancelled'];
    for (let step = 0; step < 12; step++) {
      // Two new trials a step; of the unfinished, the oldest starts and the one before it ends.
      expect(await store.commitSchedule('s', version++, {}, [trial(number++), trial(number++)])).toBe(true);
      const open = (await store.listTrials('s')).filter((t) => !FINAL_TRIAL_STATUSES.includes(t.status));
      const [first, second] = open;
      if (first.status === 'running') {
        const to = ends[step % ends.length];
        // As a trial run does: its model is stored before its final state.
        if (to === 'completed') await store.saveModel({ id: `m-${first.id}`, searchId: 's', trialId: first.id, summary, artifact });
        expect(await store.updateTrialIf(first.id, ['running'], { status: to, value: to === 'completed' ? step / 10 : null, finishedAt: new Date() })).toBe(true);
      }
      const starting = first.status === 'waiting' ? first : second;
      expect(await store.updateTrialIf(starting.id, ['waiting'], { status: 'running', startedAt: new Date(), attempts: 1 })).toBe(true);
      expect(await history.read('s')).toEqual(await store.listTrials('s'));
    }
    // 24 trials in all, yet no read fetched more than the two new ones and those unfinished before them.
    expect(await store.listTrials('s')).toHaveLength(24);
    expect(fetched[0]).toBe(2);
    expect(Math.max(...fetched.slice(1))).toBeLessThanOrEqual(2 + 2 + 12);
    expect(fetched.at(-1)).toBeLessThan(24);
    const modelled = (await history.read('s')).filter((t) => t.modelId !== null);
    expect(modelled.length).toBeGreaterThan(0);
    expect(modelled.every((t) => t.status === 'completed')).toBe(true);
  });

  it('keeps at most its limit of trials, forgetting the searches read least recently', async () => {
    const store = await open();
    for (const id of ['a', 'b']) {
      await store.createSearch({ id, name: 'n', spec });
      expect(await store.commitSchedule(id, 0, {}, [0, 1, 2].map((n) => trial(n, `${id}${n}`)))).toBe(true);
      for (const n of [0, 1, 2]) await store.updateTrialIf(`${id}${n}`, ['waiting'], { status: 'cancelled' });
    }
    const { port, fetched } = counting(store);
    const history = new TrialHistory(port, 4);
    await history.read('a');
    await history.read('a');
    expect(fetched).toEqual([3, 0]); // all finished: nothing to read again
    await history.read('b'); // 6 kept > 4: 'a' goes
    await history.read('b');
    await history.read('a');
    expect(fetched).toEqual([3, 0, 3, 0, 3]);
    history.forget('a');
    expect(await history.read('a')).toEqual(await store.listTrials('a'));
    expect(fetched.at(-1)).toBe(3);
  });
});
