// training.precision through POST /searches on a deployment whose TRAINING_BACKEND is 'wasm' (the
// harness's): bf16 is a 400 naming the field and the reason, with nothing written; fp32 is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceSearch } from '../fixtures/reference-search.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const post = (body: unknown) => h.request.post('/searches').send(body as object);
const count = async () => (await h.request.get('/searches').expect(200)).body.searches.length;

describe('POST /searches with training.precision', () => {
  it("rejects bf16 where TRAINING_BACKEND cannot run it: 400 naming training.precision and why", async () => {
    const before = await count();
    const res = await post(referenceSearch({ training: { epochs: 2, precision: 'bf16' } })).expect(400);
    expect(res.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: "training.precision: 'bf16' needs the native backend (oneDNN) on a CPU with AVX512_BF16; TRAINING_BACKEND is 'wasm'",
      details: { field: 'training.precision', reason: "'bf16' needs the native backend (oneDNN) on a CPU with AVX512_BF16; TRAINING_BACKEND is 'wasm'" },
    });
    expect(await count()).toBe(before);
  });

  it('rejects an unknown precision with a 400 naming the field', async () => {
    const res = await post(referenceSearch({ training: { epochs: 2, precision: 'fp16' as never } })).expect(400);
    expect(res.body.error.message).toMatch(/training\.precision/);
  });

  it('stores fp32 when given and nothing when left out (fp32 by default)', async () => {
    const given = await post(referenceSearch({ training: { epochs: 2, precision: 'fp32' } })).expect(201);
    expect(given.body.spec.training.precision).toBe('fp32');
    const omitted = await post(referenceSearch()).expect(201);
    expect(omitted.body.spec.training).not.toHaveProperty('precision');
  });
});
