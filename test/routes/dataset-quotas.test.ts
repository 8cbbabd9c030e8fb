// Per-tenant upload quotas through the real app (SQLite, authentication on): DATASET_QUOTA_COUNT
// datasets and DATASET_QUOTA_BYTES bytes, processing ones counting with their uploaded bytes and
// ready ones with their decoded bytes; a 409 QUOTA_EXCEEDED names the limit, its setting and what
// is used; another tenant is unaffected, and a deleted or failed upload frees its share.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvFile, fashionSample } from '../fixtures/dataset-files.js';
import { uploadAndFail, uploadAndWait, waitForDataset } from '../helpers/dataset-upload.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const ADMIN = `admin-key-${'q'.repeat(32)}`;
const CSV = csvFile(fashionSample(20), 20);
const DECODED = 20 * 785;

async function tenants(h: Harness): Promise<Record<string, string>> {
  const key: Record<string, string> = {};
  for (const tenant of ['alpha', 'beta'])
    key[tenant] = (await h.request.post('/api-keys').set('authorization', `Bearer ${ADMIN}`).send({ tenant, name: tenant }).expect(201)).body.key;
  return key;
}

const post = (h: Harness, key: string, file = CSV) =>
  h.request.post('/datasets').set('authorization', `Bearer ${key}`).field('name', 'q').field('format', 'csv').attach('file', file, 'q.csv');

describe('DATASET_QUOTA_COUNT', () => {
  let h: Harness;
  let key: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN, DATASET_QUOTA_COUNT: '2', DATASET_QUOTA_BYTES: '0' });
    key = await tenants(h);
  });
  afterAll(async () => { await h?.close(); });

  it('refuses a tenant its third dataset before reading the files, naming the limit; others may still upload', async () => {
    const first = await uploadAndWait(h, post(h, key.alpha), key.alpha);
    const second = (await post(h, key.alpha).expect(202)).body; // processing counts too
    const refused = await post(h, key.alpha).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { quota: 'datasets', limit: 2, used: 2, setting: 'DATASET_QUOTA_COUNT' } });
    expect(refused.body.error.message).toMatch(/datasets is limited to 2 per tenant \(2 in use; DATASET_QUOTA_COUNT\)/);
    await uploadAndWait(h, post(h, key.beta), key.beta);
    await waitForDataset(h, second.id, key.alpha);
    await h.request.delete(`/datasets/${first.id}`).set('authorization', `Bearer ${key.alpha}`).expect(204);
    await uploadAndWait(h, post(h, key.alpha), key.alpha); // deleting one freed its place
    await post(h, key.alpha).expect(409);
  }, 90_000);
});

describe('DATASET_QUOTA_BYTES', () => {
  let h: Harness;
  let key: Record<string, string>;
  // One upload in flight (its CSV's bytes) or two decoded datasets and one more upload fit; two uploads in flight do not.
  const LIMIT = CSV.length + 2 * DECODED + 100;
  beforeAll(async () => {
    expect(CSV.length).toBeGreaterThan(2 * DECODED);
    h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN, DATASET_QUOTA_COUNT: '0', DATASET_QUOTA_BYTES: String(LIMIT) });
    key = await tenants(h);
  });
  afterAll(async () => { await h?.close(); });

  it('counts processing uploads with their uploaded bytes and ready ones with their decoded bytes, per tenant', async () => {
    const first = (await post(h, key.alpha).expect(202)).body;
    const refused = await post(h, key.alpha).expect(409); // the first still processing: CSV.length in use
    expect(refused.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { limit: LIMIT, used: CSV.length, setting: 'DATASET_QUOTA_BYTES' } });
    expect(refused.body.error.message).toMatch(new RegExp(`dataset bytes \\(this upload: ${CSV.length}\\) is limited to ${LIMIT} per tenant`));
    await uploadAndWait(h, post(h, key.beta), key.beta); // another tenant's bytes are its own
    expect((await waitForDataset(h, first.id, key.alpha)).bytes).toBe(DECODED);
    const second = await uploadAndWait(h, post(h, key.alpha), key.alpha); // DECODED in use now
    const third = (await post(h, key.alpha).expect(202)).body; // 2 x DECODED + CSV.length fits
    await waitForDataset(h, third.id, key.alpha);
    expect((await post(h, key.alpha).expect(409)).body.error.details.used).toBe(3 * DECODED);
    // A failed upload holds nothing.
    await h.request.delete(`/datasets/${second.id}`).set('authorization', `Bearer ${key.alpha}`).expect(204);
    await uploadAndFail(h, post(h, key.alpha, Buffer.concat([CSV, Buffer.from('\n9,broken')])), key.alpha);
    await uploadAndWait(h, post(h, key.alpha), key.alpha);
  }, 120_000);
});
