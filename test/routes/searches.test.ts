// Every /searches endpoint and its errors, through HTTP, on a real database and a real Redis
// (no worker runs here, so trials stay waiting).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depthSearch } from '../fixtures/conditional-spaces.js';
import { referenceSearch } from '../fixtures/reference-search.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const post = (body: unknown) => h.request.post('/searches').send(body as object);

describe('POST /searches', () => {
  it('creates the notebook search at once and enqueues its first trial with job id = trial id', async () => {
    const res = await post(referenceSearch()).expect(201);
    expect(res.body).toMatchObject({ name: 'fashion-mnist-cnn', status: 'queued', bestTrial: null, bestModelId: null, finishedAt: null });
    expect(res.body.trials).toMatchObject({ total: 1, waiting: 1 });
    const trials = (await h.request.get(`/searches/${res.body.id}/trials`).expect(200)).body.trials;
    expect(trials).toHaveLength(1);
    expect(trials[0]).toMatchObject({ number: 1, status: 'waiting', valAccuracy: null, epochs: [], modelId: null, error: null });
    const job = await h.core.queue.queue.getJob(trials[0].id);
    expect(job?.data).toEqual({ trialId: trials[0].id, searchId: res.body.id });
  });

  it('respects maxParallelTrials when scheduling', async () => {
    const res = await post(referenceSearch({ budget: { maxTrials: 5, maxParallelTrials: 3 } })).expect(201);
    expect(res.body.trials.waiting).toBe(3);
  });

  const bad: [string, (b: ReturnType<typeof referenceSearch>) => unknown, RegExp][] = [
    ['a missing field', (b) => ({ ...b, name: undefined }), /name/],
    ['an unknown field', (b) => ({ ...b, colour: 'red' }), /unknown field 'colour'/],
    ['a wrong type', (b) => ({ ...b, budget: { maxTrials: '5' } }), /budget\.maxTrials/],
    ['an unknown hyperparameter type', (b) => { b.hyperparameters[0] = { name: 'x', type: 'complex' } as never; return b; }, /hyperparameters\[0\]\.type: unknown value "complex"; expected one of int, float/],
    ['min above max', (b) => { b.hyperparameters[0] = { name: 'conv_1_filter', type: 'int', min: 9, max: 1 }; return b; }, /hyperparameters\[0\]\.max/],
    ['a duplicated hyperparameter', (b) => { b.hyperparameters.push(b.hyperparameters[0]); return b; }, /duplicate/],
    ['an unknown layer', (b) => { b.model.layers[0] = { type: 'lstm' } as never; return b; }, /model\.layers\[0\]\.type: unknown value "lstm"/],
    ['an impossible shape', (b) => { b.model.layers[0] = { type: 'conv2d', filters: 8, kernelSize: 29 }; return b; }, /model\.layers\[0\]\.kernelSize.*larger than its 28x28 input/],
    ['an unknown hyperparameter reference', (b) => { b.model.layers[3] = { type: 'dense', units: { hp: 'ghost' } }; return b; }, /ghost/],
    ['an unknown dataset', (b) => ({ ...b, dataset: { id: 'imagenet' } }), /dataset\.id/],
    ['objective and objectives both', (b) => ({ ...b, objectives: [{ name: 'val_accuracy' }, { name: 'params' }] }), /objectives: give either objective .* not both/],
    ['an unknown objective name', (b) => ({ ...b, objective: undefined, objectives: [{ name: 'val_accuracy' }, { name: 'flops' }] }), /objectives\/?\.?\[?1\]?\.name/],
    ['params as the primary objective', (b) => ({ ...b, objective: undefined, objectives: [{ name: 'params' }, { name: 'val_accuracy' }] }), /objectives\[0\]\.name: .*per-epoch metric/],
    ['latency_ms as the primary objective', (b) => ({ ...b, objective: undefined, objectives: [{ name: 'latency_ms' }, { name: 'val_accuracy' }] }), /objectives\[0\]\.name: .*per-epoch metric/],
    ['latency_ms as the single objective', (b) => ({ ...b, objective: { metric: 'latency_ms' } }), /objective\.metric: .*allowed values: "val_accuracy", "val_loss", "accuracy", "loss"$/],
    ['several objectives with hyperband', (b) => ({ ...b, objective: undefined, objectives: [{ name: 'val_accuracy' }, { name: 'params' }], algorithm: { name: 'hyperband' } }), /algorithm\.name: 'hyperband' promotes trials by one objective/],
    ['several objectives with median stopping', (b) => ({ ...b, objective: undefined, objectives: [{ name: 'val_accuracy' }, { name: 'params' }], earlyStopping: { name: 'median' } }), /earlyStopping\.name/],
  ];
  it.each(bad)('rejects %s with a 400 naming the field', async (_what, mutate, message) => {
    const before = (await h.request.get('/searches').expect(200)).body.searches.length;
    const res = await post(mutate(referenceSearch())).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.message).toMatch(message);
    expect((await h.request.get('/searches').expect(200)).body.searches.length).toBe(before); // nothing written
  });

  it('rejects malformed JSON and oversized bodies with 4xx, not 500', async () => {
    const res = await h.request.post('/searches').set('content-type', 'application/json').send('{"name": ').expect(400);
    expect(res.body.error.message).toBeTruthy();
    const huge = { ...referenceSearch(), name: 'x'.repeat(h.config.bodyLimitBytes) };
    expect((await post(huge)).status).toBe(413);
  });
});

describe('GET /searches/:id and /trials', () => {
  it('returns the search with its counts', async () => {
    const { body } = await post(referenceSearch()).expect(201);
    const res = await h.request.get(`/searches/${body.id}`).expect(200);
    expect(res.body).toMatchObject({ id: body.id, status: 'queued', trials: { total: 1 } });
    expect(res.body.spec.algorithm).toEqual({ name: 'random', seed: 42 });
  });

  it('answers 404 with the error shape for unknown ids and routes', async () => {
    for (const path of ['/searches/nope', '/searches/nope/trials', '/nothing-here']) {
      const res = await h.request.get(path).expect(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    await h.request.post('/searches/nope/cancel').expect(404);
  });
});

describe('POST /searches/:id/cancel', () => {
  it('cancels waiting trials, removes their jobs, and is idempotent', async () => {
    const { body } = await post(referenceSearch({ budget: { maxTrials: 4, maxParallelTrials: 2 } })).expect(201);
    const res = await h.request.post(`/searches/${body.id}/cancel`).expect(200);
    expect(res.body.status).toBe('cancelled');
    expect(res.body.trials).toMatchObject({ total: 2, cancelled: 2, waiting: 0 });
    expect(res.body.finishedAt).not.toBeNull();
    const trials = (await h.request.get(`/searches/${body.id}/trials`)).body.trials;
    for (const t of trials) expect(await h.core.queue.inspect(t.id)).toBeNull();
    await h.request.post(`/searches/${body.id}/cancel`).expect(200);
  });
});

describe('GET /health', () => {
  it('reports ok', async () => {
    expect((await h.request.get('/health').expect(200)).body.status).toBe('ok');
  });
});

describe('OpenAPI', () => {
  it('documents every public route from the validating schemas, with the notebook search as example', async () => {
    const { body } = await h.request.get('/docs/json').expect(200);
    for (const path of ['/searches', '/searches/{id}', '/searches/{id}/trials', '/searches/{id}/cancel', '/models/{id}', '/models/{id}/predict'])
      expect(body.paths).toHaveProperty([path]);
    const create = body.paths['/searches'].post;
    const media = create.requestBody.content['application/json'];
    expect(JSON.stringify(media)).toContain('conv_1_filter');
    expect(create.responses).toHaveProperty(['201']);
    expect((await h.request.get('/docs/').redirects(1)).status).toBe(200);
  });
});

describe('conditional search spaces and the issue-4 request fields', () => {
  it('creates a search that chooses its depth; trials hold only their active hyperparameters', async () => {
    const res = await post(depthSearch({ algorithm: { name: 'random', seed: 3 }, budget: { maxTrials: 6, maxParallelTrials: 4 } })).expect(201);
    expect(res.body.spec.model.layers[2].when).toEqual({ hp: 'num_conv_layers', in: [3] });
    expect(res.body.spec.hyperparameters[3].when).toEqual({ hp: 'num_conv_layers', in: [3] });
    const { trials } = (await h.request.get(`/searches/${res.body.id}/trials`).expect(200)).body;
    expect(trials).toHaveLength(4);
    for (const t of trials) {
      expect('conv_3_filter' in t.hyperparameters).toBe(t.hyperparameters.num_conv_layers === 3);
      expect('conv_2_filter' in t.hyperparameters).toBe(t.hyperparameters.num_conv_layers >= 2);
      expect('dropout_rate' in t.hyperparameters).toBe(t.hyperparameters.use_dropout);
    }
  });

  it('accepts the algorithm, objective, early-stopping, budget and training fields', async () => {
    const res = await post(depthSearch({
      objective: { metric: 'val_loss' },
      algorithm: { name: 'hyperband', seed: 1, maxEpochs: 3, factor: 3, hyperbandIterations: 1 },
      earlyStopping: { name: 'median', startEpoch: 2, minTrials: 2 },
      budget: { maxTrials: 4, maxParallelTrials: 1, maxDurationSeconds: 3600, targetValue: 0.2, maxTotalEpochs: 40 },
      training: { epochs: 3, batchSize: 32, validationSplit: 0.1, executionsPerTrial: 2 },
    })).expect(201);
    expect(res.body.spec).toMatchObject({
      objective: { metric: 'val_loss', direction: 'min' },
      algorithm: { name: 'hyperband', maxEpochs: 3, factor: 3 },
      earlyStopping: { name: 'median', startEpoch: 2, minTrials: 2 },
      budget: { maxDurationSeconds: 3600, targetValue: 0.2, maxTotalEpochs: 40 },
      training: { executionsPerTrial: 2 },
    });
    await post(depthSearch({ algorithm: { name: 'asha', minEpochs: 1, reductionFactor: 2 } })).expect(201);
  });

  type Depth = ReturnType<typeof depthSearch>;
  const badWhen: [string, (b: Depth) => void, RegExp][] = [
    ['an empty value list', (b) => { b.hyperparameters[3].when = { hp: 'num_conv_layers', in: [] }; }, /^hyperparameters\[3\]\.when\.in: /],
    ['an unknown field in a condition', (b) => { (b.hyperparameters[3].when as unknown as Record<string, unknown>).not = [1]; }, /^hyperparameters\[3\]\.when: unknown field 'not'/],
    ['an unknown parent', (b) => { b.hyperparameters[3].when = { hp: 'ghost', in: [3] }; }, /^hyperparameters\[3\]\.when\.hp: refers to unknown hyperparameter 'ghost'/],
    ['a parent defined later', (b) => { b.hyperparameters[2].when = { hp: 'use_dropout', in: [true] }; }, /^hyperparameters\[2\]\.when\.hp: must name a hyperparameter defined earlier/],
    ['a value the parent never takes', (b) => { b.hyperparameters[3].when = { hp: 'num_conv_layers', in: [3, 4] }; }, /^hyperparameters\[3\]\.when\.in\[1\]: 4 is not one of/],
    ['a continuous parent', (b) => { b.hyperparameters.push({ name: 'x', type: 'boolean', when: { hp: 'learning_rate', in: [0.001] } }); }, /^hyperparameters\[7\]\.when\.hp: .*continuous/],
    ["a layer's unknown condition", (b) => { b.model.layers[1].when = { hp: 'depth', in: [2] }; }, /^model\.layers\[1\]\.when\.hp: refers to unknown hyperparameter 'depth'/],
    ["a layer's impossible value", (b) => { b.model.layers[5].when = { hp: 'use_dropout', in: ['yes'] }; }, /^model\.layers\[5\]\.when\.in\[0\]: "yes" is not one of/],
    ['a layer reading a hyperparameter that may be inactive', (b) => { delete b.model.layers[2].when; }, /^model\.layers\[2\]\.filters: refers to 'conv_3_filter'/],
    ['an unknown objective metric', (b) => { b.objective = { metric: 'f1' as never }; }, /^objective\.metric: /],
    ['an unknown algorithm', (b) => { b.algorithm = { name: 'evolution' as never }; }, /^algorithm\.name: .*hyperband/],
  ];
  it.each(badWhen)('rejects %s with a 400 naming the field', async (_what, mutate, message) => {
    const body = depthSearch();
    mutate(body);
    const res = await post(body).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.message).toMatch(message);
  });

  it('documents the conditions and the new fields in OpenAPI', async () => {
    const { body } = await h.request.get('/docs/json').expect(200);
    const text = JSON.stringify(body.paths['/searches'].post.requestBody);
    for (const word of ['"when"', '"hyperband"', '"asha"', '"val_loss"', 'earlyStopping', 'maxDurationSeconds', 'executionsPerTrial', 'reductionFactor', '"objectives"', '"params"', '"latency_ms"'])
      expect(text).toContain(word);
    expect(JSON.stringify(body.paths['/searches/{id}'].get.responses['200'])).toContain('paretoFront');
    const trials = JSON.stringify(body.paths['/searches/{id}/trials'].get.responses['200']);
    for (const word of ['"pruned"', 'parentTrialId', 'targetEpochs', 'execution', 'objectiveValues']) expect(trials).toContain(word);
  });
});
