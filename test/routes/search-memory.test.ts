// A model's memory per training batch is bounded like its parameter count (issue 15): the
// issue's example, 98k parameters but ~200 GB of activations per batch of 4096, is a 400 at once
// naming the field, the memory it would need and the limit, and the API stays responsive meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchRequest } from '../../src/domain/search-spec.js';
import { healthDuring } from '../helpers/event-loop-stall.js';
import { listen, startHarness, type Harness } from '../helpers/harness.js';
import { referenceSearch } from '../fixtures/reference-search.js';

let h: Harness;
let baseUrl: string;
beforeAll(async () => { h = await startHarness(); baseUrl = await listen(h); });
afterAll(async () => { await h?.close(); });

/** conv2d 8192 filters, 1x1, 'same', a 28x28 pooling, batch 4096: 98,314 parameters. */
const wideSearch = (batchSize: number): SearchRequest => referenceSearch({
  name: 'wide-1x1',
  training: { epochs: 1, batchSize, validationSplit: 0.1 },
  hyperparameters: [{ name: 'learning_rate', type: 'choice', values: [0.001] }],
  model: {
    inputShape: [28, 28, 1],
    layers: [
      { type: 'conv2d', filters: 8192, kernelSize: 1, padding: 'same', activation: 'relu' },
      { type: 'maxPooling2d', poolSize: 28 },
      { type: 'flatten' },
      { type: 'dense', units: 10, activation: 'softmax' },
    ],
    optimizer: { type: 'adam', learningRate: { hp: 'learning_rate' } },
    loss: 'sparseCategoricalCrossentropy',
  },
});

const post = (body: SearchRequest) => fetch(`${baseUrl}/searches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  .then(async (r) => ({ status: r.status, body: await r.json() }));

describe('POST /searches: memory per training batch', () => {
  it("400 for the issue's example, naming training.batchSize, what it needs and the limit; /health stays fast", async () => {
    const before = (await h.request.get('/searches').expect(200)).body.searches.length;
    const { result, maxHealthMs, probes } = await healthDuring(baseUrl, () => post(wideSearch(4096)));
    console.info(`memory bound: ${result.status} ${maxHealthMs.toFixed(1)} ms over ${probes} probes: ${result.body.error?.message ?? ''}`);
    expect(result.status).toBe(400);
    expect(result.body.error.details.field).toBe('training.batchSize');
    expect(result.body.error.message).toMatch(/needs about 201,231 MB per training batch of 4096 .*more than the limit of 4,096 MB \(MAX_BATCH_MEMORY_MB\): at most 83 fits/);
    expect(probes).toBeGreaterThan(0);
    expect(maxHealthMs).toBeLessThan(250);
    expect((await h.request.get('/searches').expect(200)).body.searches.length).toBe(before); // nothing stored
  });

  it('accepts the same model at a batch that fits, and the notebook search at batch 32', async () => {
    expect((await post(wideSearch(16))).status).toBe(201);
    expect((await post(referenceSearch())).status).toBe(201);
  });
});
