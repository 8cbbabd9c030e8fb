// GET /searches/:id/events on the whole product: real Redis, a real database, a real worker training
// in child processes. A client follows a 2-trial search live, drops the connection in the middle,
// resumes with Last-Event-ID, and ends up with exactly the events of a full replay, in order.
import { afterEach, describe, expect, it } from 'vitest';
import { tinySearch } from '../fixtures/reference-search.js';
import { postgresAvailable, startHarness, type Harness } from '../helpers/harness.js';
import { readSse, type SseEvent } from '../helpers/sse.js';

let h: Harness | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

describe('search events end to end', () => {
  it('streams a real search live until search.finished and resumes from Last-Event-ID with exactly the rest (SQLite)', async () => {
    await followSearch('sqlite');
  }, 240_000);

  it('does the same on PostgreSQL', async (ctx) => {
    if (!(await postgresAvailable())) ctx.skip();
    await followSearch('postgres');
  }, 240_000);
});

async function followSearch(db: 'sqlite' | 'postgres') {
  h = await startHarness(db, { TRAINING_BACKEND: 'wasm', EVENTS_POLL_MS: '200' });
  await h.startWorker();
  const base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  const { id } = (await h.request.post('/searches').send(tinySearch()).expect(201)).body;
  const url = `${base}/searches/${id}/events`;

  // Live, dropping the connection after the first epoch, then resuming where it left off.
  const first = await readSse(url, { stop: (r) => r.events.some((e) => e.event === 'trial.epoch'), timeoutMs: 180_000 });
  expect(first.status).toBe(200);
  const last = first.events.at(-1)!;
  const second = await readSse(url, { headers: { 'last-event-id': last.id }, timeoutMs: 180_000 });
  expect(second.ended).toBe(true);
  const live = [...first.events, ...second.events];

  const summary = (es: SseEvent[]) => es.map((e) => [e.event, e.data.number, e.data.epoch ?? e.data.status].filter((x) => x !== undefined).join(' '));
  expect(summary(live)).toEqual([
    'trial.started 1', 'trial.epoch 1 1', 'trial.finished 1 completed',
    'trial.started 2', 'trial.epoch 2 1', 'trial.finished 2 completed',
    'search.finished completed',
  ]);
  const { trials } = (await h.request.get(`/searches/${id}/trials`).expect(200)).body;
  for (const [i, t] of trials.entries()) {
    expect(live[3 * i].data).toMatchObject({ trialId: t.id, hyperparameters: t.hyperparameters, startedAt: t.startedAt });
    expect(live[3 * i + 1].data).toMatchObject({ trialId: t.id, ...t.epochs[0] });
    expect(live[3 * i + 2].data).toMatchObject({ trialId: t.id, valAccuracy: t.valAccuracy, error: null, modelId: t.modelId });
  }
  const search = (await h.request.get(`/searches/${id}`).expect(200)).body;
  expect(live[6].data).toMatchObject({ searchId: id, status: 'completed', bestModelId: search.bestModelId, bestTrial: search.bestTrial });

  // A replay from the start (another connection, after the fact) is the same stream, ids included.
  const replay = await readSse(url, { timeoutMs: 10_000 });
  expect(replay.ended).toBe(true);
  expect(replay.events).toEqual(live);
  // Any id from the middle: exactly what follows it.
  for (const k of [2, 4]) {
    const rest = await readSse(url, { headers: { 'last-event-id': live[k].id }, timeoutMs: 10_000 });
    expect(rest.events).toEqual(live.slice(k + 1));
  }
}
