// POST /searches/:id/trials/:trialId/cancel on the real app, database, Redis and a real worker
// (wasm): a waiting trial is cancelled at once and never runs, even when its job reaches a worker;
// a running trial, an ordinary one of a running search or a retrain of a completed one, ends
// 'cancelled' after at most one more epoch with its epochs kept, and its search goes on as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { microSearch } from '../fixtures/micro-search.js';
import { listen, startHarness, waitFor, type Harness } from '../helpers/harness.js';

const cancelPath = (searchId: string, trialId: string) => `/searches/${searchId}/trials/${trialId}/cancel`;
type Trial = { id: string; number: number; status: string; epochs: { epoch: number }[]; attempts: number; startedAt: string | null; error: string | null; cancelRequested?: boolean };
const FINAL = ['completed', 'pruned', 'failed', 'cancelled'];

describe('per-trial cancel with a real worker', () => {
  let h: Harness;
  // Enough images that an epoch takes a moment: the test cancels between two epochs.
  const spec = microSearch({
    dataset: { id: 'fashion-mnist', limit: 2000 }, budget: { maxTrials: 3, maxParallelTrials: 1 },
    training: { epochs: 6, batchSize: 32, validationSplit: 0.25 },
  });
  let searchId: string;
  const trialsOf = async (): Promise<Trial[]> => (await h.request.get(`/searches/${searchId}/trials`).expect(200)).body.trials;
  const trialOf = async (trialId: string) => (await trialsOf()).find((t) => t.id === trialId)!;

  /** Waits until the trial runs and has recorded an epoch past `after`, cancels it, and returns its epochs as the 202 came back. */
  async function cancelWhileRunning(trialId: string, after: number): Promise<{ body: Trial; epochsAtCancel: number }> {
    await waitFor(() => trialOf(trialId), (t) => t.status === 'running' && t.epochs.some((e) => e.epoch > after), 240_000, `trial ${trialId} running`, 50);
    const res = await h.request.post(cancelPath(searchId, trialId));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    // Read after the answer: the request was stored before it, so only the epoch training then may still end.
    return { body: res.body, epochsAtCancel: (await trialOf(trialId)).epochs.length };
  }

  beforeAll(async () => {
    h = await startHarness('sqlite', { MAX_EPOCHS: '20' });
    searchId = (await h.request.post('/searches').send(spec).expect(201)).body.id;
  });
  afterAll(async () => { await h?.close(); }, 60_000);

  it('404 for an unknown search or trial, or a trial of another search; 400 for a bad id', async () => {
    const [first] = await trialsOf();
    const other = (await h.request.post('/searches').send(microSearch()).expect(201)).body.id as string;
    expect((await h.request.post(cancelPath('no-such-search', first.id)).expect(404)).body.error.message).toMatch(/search 'no-such-search' not found/);
    expect((await h.request.post(cancelPath(searchId, 'no-such-trial')).expect(404)).body.error.message).toMatch(/trial 'no-such-trial' not found/);
    expect((await h.request.post(cancelPath(other, first.id)).expect(404)).body.error.message).toMatch(/not found/);
    expect((await h.request.post(cancelPath(searchId, 'a.b')).expect(400)).body.error.details.field).toBe('params.trialId');
    await h.core.searches.cancel(other); // nothing of it may compete for the worker below
    expect((await trialOf(first.id)).status).toBe('waiting');
  });

  it('cancels a waiting trial at once: 200, its job dropped, and another trial takes its place', async () => {
    const [first] = await trialsOf();
    expect((await h.core.queue.inspect(first.id))?.state).toBe('waiting');
    const { body } = await h.request.post(cancelPath(searchId, first.id)).expect(200);
    expect(body).toMatchObject({ id: first.id, status: 'cancelled', cancelRequested: true, epochs: [], attempts: 0, startedAt: null });
    expect(body.error).toMatch(/cancelled on request/);
    expect(await h.core.queue.inspect(first.id)).toBeNull();
    // The search goes on: its freed slot is given to the next trial.
    expect((await trialsOf()).map((t) => [t.number, t.status])).toEqual([[1, 'cancelled'], [2, 'waiting']]);
    expect((await h.request.get(`/searches/${searchId}`)).body.status).toBe('queued');
    // A job that escaped the removal (a worker took it just before): the runner's waiting → running
    // compare-and-set must refuse it. Its job goes back; the worker below gets it after trial 2's.
    await h.core.queue.requeue({ trialId: first.id, searchId, attempts: 3 });
    expect((await h.request.post(cancelPath(searchId, first.id)).expect(409)).body.error).toMatchObject({
      message: expect.stringMatching(/already cancelled/), details: { status: 'cancelled' },
    });
  });

  it("stops a running trial of a running search at its next epoch boundary; the search's other trials complete", async () => {
    await h.startWorker();
    const second = (await trialsOf()).find((t) => t.number === 2)!;
    const { body, epochsAtCancel } = await cancelWhileRunning(second.id, 0);
    expect(body).toMatchObject({ id: second.id, status: 'running', cancelRequested: true });
    // A second request changes nothing: the same answer while it still runs, else the 409 of a cancelled trial.
    const again = await h.request.post(cancelPath(searchId, second.id));
    if (again.status === 202) expect(again.body).toMatchObject({ status: 'running', cancelRequested: true });
    else expect(again.body.error).toMatchObject({ code: 'CONFLICT', details: { status: 'cancelled' } });

    const ended = await waitFor(() => trialOf(second.id), (t) => FINAL.includes(t.status), 120_000, 'the cancelled trial');
    console.info(`running trial: ${epochsAtCancel} epoch(s) when the cancel was answered, ${ended.epochs.length} when it stopped (of 6)`);
    expect(ended).toMatchObject({ status: 'cancelled', attempts: 1, cancelRequested: true });
    expect(ended.error).toMatch(/cancelled on request after epoch \d/);
    expect(ended.epochs.length).toBeGreaterThanOrEqual(epochsAtCancel);
    expect(ended.epochs.length).toBeLessThanOrEqual(epochsAtCancel + 1);
    expect(ended.epochs.length).toBeLessThan(6);
    expect(ended.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: ended.epochs.length }, (_, i) => i + 1));
    expect((await h.core.store.getCheckpoint(second.id))).toBeNull();

    const search = await waitFor(async () => (await h.request.get(`/searches/${searchId}`)).body, (s) => s.status !== 'queued' && s.status !== 'running', 240_000, 'the search');
    const trials = await trialsOf();
    // The cancelled trials are not failures and are not tried again: the third trial ran and won.
    expect(trials.map((t) => [t.number, t.status])).toEqual([[1, 'cancelled'], [2, 'cancelled'], [3, 'completed']]);
    expect(search).toMatchObject({ status: 'completed', error: null, trials: { cancelled: 2, completed: 1, failed: 0 } });
    expect(search.bestTrial.number).toBe(3);
    // Trial 1's escaped job reached the worker, which did not run it.
    expect((await h.core.queue.inspect(trials[0].id))?.state).toBe('completed');
    expect(trials[0]).toMatchObject({ status: 'cancelled', attempts: 0, startedAt: null, epochs: [] });
    expect((await h.request.post(cancelPath(searchId, trials[2].id)).expect(409)).body.error.message).toMatch(/already completed/);
  }, 600_000);

  it('stops a running retrain of a completed search; the search stays completed with the same best', async () => {
    const before = (await h.request.get(`/searches/${searchId}`)).body;
    expect(before.status).toBe('completed');
    const { body: retrain } = await h.request.post(`/searches/${searchId}/retrain`).send({ epochs: 16 }).expect(202);
    const { epochsAtCancel } = await cancelWhileRunning(retrain.id, 6);
    const ended = await waitFor(() => trialOf(retrain.id), (t) => FINAL.includes(t.status), 120_000, 'the cancelled retrain');
    console.info(`retrain: ${epochsAtCancel} epoch(s) when the cancel was answered, ${ended.epochs.length} when it stopped (of 10)`);
    expect(ended).toMatchObject({ status: 'cancelled', cancelRequested: true });
    expect(ended.epochs.length).toBeGreaterThanOrEqual(Math.max(1, epochsAtCancel));
    expect(ended.epochs.length).toBeLessThanOrEqual(epochsAtCancel + 1);
    expect(ended.epochs.length).toBeLessThan(10);
    // Its epochs continue the best trial's, and stay recorded.
    expect(ended.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: ended.epochs.length }, (_, i) => i + 7));
    const after = (await h.request.get(`/searches/${searchId}`)).body;
    expect(after).toMatchObject({ status: 'completed', bestModelId: before.bestModelId, finishedAt: before.finishedAt });
    expect(after.bestTrial.id).toBe(before.bestTrial.id);
  }, 600_000);
});

describe('per-trial cancel with authentication on', () => {
  const ADMIN = `admin-key-${'c'.repeat(32)}`;
  let h: Harness;
  const key: Record<string, string> = {};
  beforeAll(async () => {
    h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN });
    for (const tenant of ['alpha', 'beta'])
      key[tenant] = (await h.request.post('/api-keys').set({ authorization: `Bearer ${ADMIN}` }).send({ tenant, name: tenant }).expect(201)).body.key;
  });
  afterAll(async () => { await h?.close(); }, 60_000);

  it("is another tenant's 404: the trial stays as it was", async () => {
    const as = (tenant: string) => ({ authorization: `Bearer ${key[tenant]}` });
    const id = (await h.request.post('/searches').set(as('alpha')).send(microSearch()).expect(201)).body.id;
    const [trial] = (await h.request.get(`/searches/${id}/trials`).set(as('alpha')).expect(200)).body.trials;
    expect((await h.request.post(cancelPath(id, trial.id)).set(as('beta')).expect(404)).body.error.message).toMatch(/search '.*' not found/);
    expect((await h.core.store.getTrial(trial.id))?.status).toBe('waiting');
    await h.request.post(cancelPath(id, trial.id)).expect(401);
    expect((await h.request.post(cancelPath(id, trial.id)).set(as('alpha')).expect(200)).body.status).toBe('cancelled');
  });

  it('hypertune trial cancel: the CLI prints the outcome, or the API\'s 404 and exits 1', async () => {
    const url = await listen(h);
    const as = (tenant: string) => ({ HYPERTUNE_URL: url, HYPERTUNE_API_KEY: key[tenant] });
    const id = (await h.request.post('/searches').set({ authorization: `Bearer ${key.alpha}` }).send(microSearch()).expect(201)).body.id;
    const trial = (await h.core.store.listTrials(id))[0];
    const denied = await runCli(['trial', 'cancel', id, trial.id], as('beta'));
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/not found/);
    const done = await runCli(['trial', 'cancel', id, trial.id], as('alpha'));
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toBe(`trial 1 (${trial.id}) cancelled\n`);
    expect((await h.core.store.getTrial(trial.id))?.status).toBe('cancelled');
  }, 60_000);
});
