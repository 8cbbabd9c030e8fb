// A search's live progress as server-sent events, derived from stored state only (trials run in
// other processes; the database is the record). Pure: GET /searches/:id/events polls the store and
// calls deriveEvents with what it has sent so far.
//
// Events, per trial in trial-number order: `trial.started` (startedAt set), `trial.epoch` (one per
// stored epoch, ascending), `trial.finished` (a final status); then `search.finished` once the
// search and every one of its trials are final. Trials run in parallel, so progress is per trial: a
// trial's events have ranks (started 0, epoch k = k, finished last) and the cursor records the last
// rank sent of each trial. An event's SSE id is the cursor after it (e.g. `2.t3e4.t4s`: trials 1-2
// finished, trial 3 through epoch 4, trial 4 started), built from trial numbers, epochs and kinds
// only, so it means the same to every API process and after restarts; a client resuming with
// Last-Event-ID gets exactly the events whose rank is above what the cursor holds, never one twice.
// An epoch replayed after a crash (same number, overwritten) is not sent again. A trial trained
// several times (executionsPerTrial) numbers each execution's epochs from the start again: their
// ranks put execution k's epochs after execution k-1's (`t3e1000002`: execution 1, epoch 2).
import { ValidationError } from '../domain/errors.js';
import { isFinalSearchStatus, isFinalTrialStatus } from '../domain/trial-state.js';
import type { SearchRecord, SearchState, TrialWithEpochs } from '../ports/search-store.js';
import { searchView } from './views.js';

export type SearchEventKind = 'trial.started' | 'trial.epoch' | 'trial.finished' | 'search.finished';

export interface SearchEvent {
  /** The cursor after this event: what Last-Event-ID sends back. */
  id: string;
  event: SearchEventKind;
  data: Record<string, unknown>;
}

/** What a client has received: trials 1..done completely, then per trial number the last rank sent. */
export interface EventCursor {
  done: number;
  trials: ReadonlyMap<number, number>;
  ended: boolean;
}

const STARTED = 0;
const FINISHED = Number.MAX_SAFE_INTEGER;

export const START: EventCursor = { done: 0, trials: new Map(), ended: false };

export function formatCursor(c: EventCursor): string {
  const parts = [String(c.done)];
  for (const [n, rank] of [...c.trials].sort(([a], [b]) => a - b))
    parts.push(`t${n}${rank === FINISHED ? 'f' : rank === STARTED ? 's' : `e${rank}`}`);
  if (c.ended) parts.push('end');
  return parts.join('.');
}

const TRIAL_TOKEN = /^t([1-9]\d{0,8})(s|f|e[1-9]\d{0,8})$/;

/** Absent or empty: from the start. Anything this module did not write: a 400. */
export function parseCursor(raw: string | undefined): EventCursor {
  if (raw === undefined || raw.trim() === '') return START;
  const invalid = () => new ValidationError('headers.last-event-id', `not an event id of this stream: '${raw.slice(0, 100)}'`);
  if (raw.length > 4096) throw invalid();
  const [first, ...rest] = raw.trim().split('.');
  if (!/^(0|[1-9]\d{0,8})$/.test(first)) throw invalid();
  const done = Number(first);
  const trials = new Map<number, number>();
  let ended = false;
  for (const [i, part] of rest.entries()) {
    if (part === 'end' && i === rest.length - 1) { ended = true; continue; }
    const m = TRIAL_TOKEN.exec(part);
    if (!m) throw invalid();
    const n = Number(m[1]);
    if (n <= done || trials.has(n)) throw invalid();
    trials.set(n, m[2] === 's' ? STARTED : m[2] === 'f' ? FINISHED : Number(m[2].slice(1)));
  }
  return normalize({ done, trials, ended });
}

/** Folds finished trials that follow `done` into it, so the cursor stays short. */
function normalize(c: { done: number; trials: Map<number, number>; ended: boolean }): EventCursor {
  while (c.trials.get(c.done + 1) === FINISHED) c.trials.delete(++c.done);
  return c;
}

const rankSent = (c: EventCursor, n: number) => (n <= c.done ? FINISHED : c.trials.get(n) ?? -1);

/** Above any epoch number (MAX_EPOCHS); executions are few, so ranks stay within the cursor's 9 digits. */
const EXECUTION_STRIDE = 1_000_000;
const epochRank = (e: { execution?: number; epoch: number }) => (e.execution ?? 0) * EXECUTION_STRIDE + e.epoch;

/** Every event the stored state holds that `from` has not had, in order; and the cursor after them. */
export function deriveEvents(search: SearchState, trials: TrialWithEpochs[], from: EventCursor): { events: SearchEvent[]; cursor: EventCursor } {
  const cursor = { done: from.done, trials: new Map(from.trials), ended: from.ended };
  const events: SearchEvent[] = [];
  const emit = (event: SearchEventKind, data: Record<string, unknown>) => events.push({ id: formatCursor(cursor), event, data });
  for (const t of [...trials].sort((a, b) => a.number - b.number)) {
    const sent = rankSent(cursor, t.number);
    const advance = (rank: number) => {
      cursor.trials.set(t.number, rank);
      normalize(cursor);
    };
    const trial = { searchId: search.id, trialId: t.id, number: t.number };
    if (t.startedAt !== null && sent < STARTED) {
      advance(STARTED);
      emit('trial.started', { ...trial, hyperparameters: t.hyperparameters, startedAt: t.startedAt.toISOString() });
    }
    for (const { trialId: _, ...e } of t.epochs) {
      if (epochRank(e) <= sent) continue;
      advance(epochRank(e));
      emit('trial.epoch', { ...trial, ...e });
    }
    if (isFinalTrialStatus(t.status) && sent < FINISHED) {
      advance(FINISHED);
      emit('trial.finished', {
        ...trial, status: t.status, value: t.value, valAccuracy: t.valAccuracy, error: t.error, modelId: t.modelId,
        epochs: t.epochs.length, finishedAt: t.finishedAt?.toISOString() ?? null,
      });
    }
  }
  if (!cursor.ended && isFinalSearchStatus(search.status) && trials.every((t) => isFinalTrialStatus(t.status))) {
    cursor.ended = true;
    // The event leaves the spec out (it can be megabytes), so the progress read never loads it.
    const { spec: _, ...view } = searchView({ ...search, spec: NO_SPEC }, trials);
    emit('search.finished', { searchId: search.id, ...view });
  }
  return { events, cursor };
}

const NO_SPEC = null as unknown as SearchRecord['spec'];

/** One event in SSE framing. JSON has no raw newlines, so `data` is one line. */
export function formatEvent(e: SearchEvent): string {
  return `id: ${e.id}\nevent: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}
