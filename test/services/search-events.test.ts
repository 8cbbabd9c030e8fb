// The pure derivation of GET /searches/:id/events: order, ids, resume from any id, no duplicates.
import { describe, expect, it } from 'vitest';
import type { TrialStatus } from '../../src/domain/trial-state.js';
import type { SearchStatus } from '../../src/domain/trial-state.js';
import { deriveEvents, formatCursor, formatEvent, parseCursor, START, type EventCursor, type SearchEvent } from '../../src/services/search-events.js';
import type { SearchRecord, TrialWithEpochs } from '../../src/ports/search-store.js';
import { referenceSearch } from '../fixtures/reference-search.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

function search(status: SearchStatus = 'running'): SearchRecord {
  return {
    id: 's1', name: 'n', spec: referenceSearch() as never, status, version: 1, error: null, bestTrialId: null, bestModelId: null,
    createdAt: at(0), finishedAt: status === 'running' ? null : at(99), tenant: null, pendingTrials: [],
  };
}

function trial(number: number, status: TrialStatus, epochs: number, valAccuracy: number | null = null): TrialWithEpochs {
  const id = `t${number}`;
  return {
    id, searchId: 's1', number, status, hyperparameters: { units: number * 16 }, valAccuracy, backend: 'wasm', error: status === 'failed' ? 'boom' : null,
    attempts: 1, modelId: status === 'completed' ? `m${number}` : null, createdAt: at(number), startedAt: status === 'waiting' ? null : at(number + 1),
    finishedAt: ['completed', 'failed', 'pruned', 'cancelled'].includes(status) ? at(number + 50) : null, heartbeatAt: null, cancelRequestedAt: null,
    value: valAccuracy, latencyMs: null, targetEpochs: null, initialEpoch: 0, parentTrialId: null, bracket: null, rung: null, source: 'oracle',
    epochs: Array.from({ length: epochs }, (_, i) => ({ trialId: id, epoch: i + 1, loss: 1 / (i + 1), accuracy: 0.5, valLoss: 1, valAccuracy: 0.6 + i / 100, durationMs: 10 })),
  };
}

const keys = (events: SearchEvent[]) => events.map((e) => `${e.event}:${e.data.number ?? ''}:${e.data.epoch ?? ''}`);

/** Runs snapshots in sequence as one client would see them; returns all events. */
function stream(snapshots: [SearchRecord, TrialWithEpochs[]][], from: EventCursor = START) {
  const all: SearchEvent[] = [];
  let cursor = from;
  for (const [s, ts] of snapshots) {
    const r = deriveEvents(s, ts, cursor);
    all.push(...r.events);
    cursor = r.cursor;
  }
  return { events: all, cursor };
}

// Two trials in parallel, seen at five moments.
const history: [SearchRecord, TrialWithEpochs[]][] = [
  [search(), [trial(1, 'waiting', 0), trial(2, 'waiting', 0)]],
  [search(), [trial(1, 'running', 1), trial(2, 'running', 0)]],
  [search(), [trial(1, 'running', 2), trial(2, 'running', 1)]],
  [search(), [trial(1, 'completed', 3, 0.62), trial(2, 'running', 2), trial(3, 'running', 0)]],
  [search('completed'), [trial(1, 'completed', 3, 0.62), trial(2, 'failed', 2), trial(3, 'cancelled', 0)]],
];

describe('deriveEvents', () => {
  it('emits nothing for a search whose trials wait', () => {
    expect(deriveEvents(...history[0], START).events).toEqual([]);
  });

  it('emits each trial’s start, epochs and end, then search.finished, each once, live across parallel trials', () => {
    const { events, cursor } = stream(history);
    expect(keys(events)).toEqual([
      'trial.started:1:', 'trial.epoch:1:1', 'trial.started:2:',
      'trial.epoch:1:2', 'trial.epoch:2:1',
      'trial.epoch:1:3', 'trial.finished:1:', 'trial.epoch:2:2', 'trial.started:3:',
      'trial.finished:2:', 'trial.finished:3:', 'search.finished::',
    ]);
    expect(cursor.ended).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const finished = events.filter((e) => e.event === 'trial.finished').map((e) => e.data);
    expect(finished).toMatchObject([
      { number: 1, status: 'completed', valAccuracy: 0.62, error: null, modelId: 'm1', epochs: 3 },
      { number: 2, status: 'failed', error: 'boom', valAccuracy: null },
      { number: 3, status: 'cancelled' },
    ]);
    expect(events.find((e) => e.event === 'trial.epoch')?.data).toEqual({
      searchId: 's1', trialId: 't1', number: 1, epoch: 1, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.6, durationMs: 10,
    });
    expect(events.at(-1)?.data).toMatchObject({ searchId: 's1', status: 'completed', trials: { total: 3, completed: 1, failed: 1, cancelled: 1 } });
    expect(events.at(-1)?.data).not.toHaveProperty('spec');
    expect(events.at(-1)?.id).toBe('3.end');
  });

  it('is deterministic: one read of the final state gives the same events as a live client, in trial order', () => {
    const once = deriveEvents(...history[4], START).events;
    expect(keys(once)).toEqual([
      'trial.started:1:', 'trial.epoch:1:1', 'trial.epoch:1:2', 'trial.epoch:1:3', 'trial.finished:1:',
      'trial.started:2:', 'trial.epoch:2:1', 'trial.epoch:2:2', 'trial.finished:2:',
      'trial.started:3:', 'trial.finished:3:', 'search.finished::',
    ]);
    expect(deriveEvents(...history[4], START)).toEqual(deriveEvents(...history[4], START));
  });

  it('resumes from any event id (through its text form) with exactly the events missed', () => {
    const live = stream(history).events;
    for (const [i, e] of live.entries()) {
      // Reconnecting after event i at any later moment, then following the rest of the history.
      for (let moment = 0; moment < history.length; moment++) {
        const seenBy = stream(history.slice(0, moment + 1)).events;
        if (!seenBy.some((x) => x.id === e.id)) continue;
        const resumed = stream(history.slice(moment), parseCursor(e.id)).events;
        const before = live.slice(0, i + 1);
        expect(keys([...before, ...resumed]).sort()).toEqual(keys(live).sort());
        expect(new Set(keys([...before, ...resumed])).size).toBe(live.length);
      }
    }
  });

  it('does not send an epoch again when a retry rewrites it, nor start again after a hand-back', () => {
    const { cursor } = stream([[search(), [trial(1, 'running', 2)]]]);
    const handedBack = trial(1, 'waiting', 1);
    handedBack.startedAt = at(2);
    expect(deriveEvents(search(), [handedBack], cursor).events).toEqual([]);
    expect(keys(deriveEvents(search(), [trial(1, 'running', 3)], cursor).events)).toEqual(['trial.epoch:1:3']);
  });

  it('sends every execution\'s epochs (each numbered from 1), in order, once across a resume', () => {
    const twice = (epochs: number): TrialWithEpochs => {
      const t = trial(1, 'running', 2);
      t.epochs = [0, 1].flatMap((execution) => t.epochs.map((e) => ({ ...e, execution }))).filter((e) => e.execution * 2 + e.epoch <= epochs);
      return t;
    };
    const first = deriveEvents(search(), [twice(3)], START);
    expect(first.events.filter((e) => e.event === 'trial.epoch').map((e) => [e.data.execution, e.data.epoch])).toEqual([[0, 1], [0, 2], [1, 1]]);
    expect(first.events.at(-1)?.id).toBe('0.t1e1000001');
    const rest = deriveEvents(search(), [twice(4)], parseCursor(first.events.at(-1)!.id));
    expect(rest.events.map((e) => [e.event, e.data.execution, e.data.epoch])).toEqual([['trial.epoch', 1, 2]]);
  });

  it('waits for every trial to be final before search.finished (a cancelled search with a running trial)', () => {
    const r = deriveEvents(search('cancelled'), [trial(1, 'running', 1)], START);
    expect(keys(r.events)).toEqual(['trial.started:1:', 'trial.epoch:1:1']);
    expect(keys(deriveEvents(search('cancelled'), [trial(1, 'cancelled', 1)], r.cursor).events)).toEqual(['trial.finished:1:', 'search.finished::']);
  });
});

describe('cursor ids', () => {
  it('fold finished trials into a prefix and round-trip', () => {
    const c: EventCursor = { done: 2, trials: new Map([[5, 0], [3, 4], [4, Number.MAX_SAFE_INTEGER]]), ended: false };
    expect(formatCursor(c)).toBe('2.t3e4.t4f.t5s');
    expect(formatCursor(parseCursor('2.t3e4.t4f.t5s'))).toBe('2.t3e4.t4f.t5s');
    expect(formatCursor(parseCursor('2.t3f.t4f.t5s'))).toBe('4.t5s');
    expect(parseCursor('7.end')).toMatchObject({ done: 7, ended: true });
    expect(parseCursor(undefined)).toEqual(START);
    expect(parseCursor('')).toEqual(START);
  });

  it.each(['x', '1.t1s', '-1', '1.t2s.t2f', '1.end.t3s', '1.t3e0', '01', '1.t3q', 'a'.repeat(5000)])('reject %s', (raw) => {
    expect(() => parseCursor(raw)).toThrow(/last-event-id/);
  });

  it('frame one event per id/event/data block', () => {
    expect(formatEvent({ id: '0.t1s', event: 'trial.started', data: { a: 'x\ny' } })).toBe('id: 0.t1s\nevent: trial.started\ndata: {"a":"x\\ny"}\n\n');
  });
});
