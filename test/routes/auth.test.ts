// API keys and tenants through HTTP: keys issued by the admin key, tenant isolation across searches,
// trials, models and lists (another tenant's data is 404, never 403), revocation, and the
// embedded single-user mode where none of it applies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { saveUntrainedModel } from '../helpers/untrained-model.js';

const ADMIN = `admin-key-${'a'.repeat(32)}`;
const img = () => Array.from({ length: 28 }, () => Array.from({ length: 28 }, () => 0));

describe('with authentication on', () => {
  let h: Harness;
  const key: Record<string, { id: string; key: string }> = {};
  const as = (who: string) => ({ authorization: `Bearer ${who === 'admin' ? ADMIN : key[who].key}` });
  let searchA: string;
  let modelA: string;

  beforeAll(async () => {
    h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN });
    for (const tenant of ['alpha', 'beta']) {
      const res = await h.request.post('/api-keys').set(as('admin')).send({ tenant, name: `${tenant} laptop` }).expect(201);
      key[tenant] = res.body;
    }
    searchA = (await h.request.post('/searches').set(as('alpha')).send(tinySearch()).expect(201)).body.id;
    modelA = await saveUntrainedModel(h.core.store, searchA);
  });
  afterAll(async () => { await h?.close(); });

  it('is implied by ADMIN_API_KEY, and AUTH_ENABLED overrides it', () => {
    expect(h.config.auth.enabled).toBe(true);
    expect(loadConfig({ ADMIN_API_KEY: ADMIN, AUTH_ENABLED: 'false' }).auth.enabled).toBe(false);
    expect(loadConfig({}).auth.enabled).toBe(false);
    expect(() => loadConfig({ ADMIN_API_KEY: 'short' })).toThrow(/at least 32/);
  });

  it('issues a key once: the answer holds it, the list never does', async () => {
    expect(key.alpha).toMatchObject({ tenant: 'alpha', name: 'alpha laptop', revokedAt: null, key: expect.stringMatching(/^htk_[A-Za-z0-9_-]{43}$/) });
    expect(key.alpha.key.startsWith((key.alpha as unknown as { prefix: string }).prefix)).toBe(true);
    const { body } = await h.request.get('/api-keys').set(as('admin')).expect(200);
    expect(body.apiKeys.map((k: { tenant: string }) => k.tenant)).toEqual(['alpha', 'beta']);
    expect(JSON.stringify(body)).not.toContain(key.alpha.key);
    for (const k of body.apiKeys) expect(Object.keys(k).sort()).toEqual(['createdAt', 'id', 'name', 'prefix', 'revokedAt', 'tenant']);
  });

  it('answers 401 in the error shape for a missing, malformed or unknown key', async () => {
    for (const header of [undefined, 'Basic YWRtaW46eA==', 'Bearer', 'Bearer htk_nope', `Bearer ${key.alpha.key}x`]) {
      const req = h.request.get('/searches');
      const res = await (header === undefined ? req : req.set('authorization', header)).expect(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('keeps /health and /docs open', async () => {
    await h.request.get('/health').expect(200);
    await h.request.get('/docs/json').expect(200);
  });

  it("shows a tenant its own searches, trials and models and answers 404 for another tenant's", async () => {
    await h.request.get(`/searches/${searchA}`).set(as('alpha')).expect(200);
    await h.request.get(`/searches/${searchA}/trials`).set(as('alpha')).expect(200);
    await h.request.get(`/models/${modelA}`).set(as('alpha')).expect(200);
    const forBeta = [
      h.request.get(`/searches/${searchA}`), h.request.get(`/searches/${searchA}/trials`), h.request.post(`/searches/${searchA}/cancel`),
      h.request.get(`/models/${modelA}`), h.request.post(`/models/${modelA}/predict`).send({ instances: [img()] }),
    ];
    for (const req of forBeta) {
      const res = await req.set(as('beta')).expect(404);
      expect(res.body.error).toMatchObject({ code: 'NOT_FOUND' });
    }
    // Beta's 404 is the same as for an id that does not exist: nothing tells the two apart.
    const unknown = await h.request.get('/searches/00000000-0000-0000-0000-000000000000').set(as('beta')).expect(404);
    expect(Object.keys(unknown.body.error)).toEqual(['code', 'message']);
    expect((await h.request.get(`/searches/${searchA}`).set(as('alpha'))).body.status).toBe('queued'); // beta's cancel did nothing
  });

  it('lists only the caller’s own searches and stamps new ones with its tenant', async () => {
    const b = (await h.request.post('/searches').set(as('beta')).send(tinySearch()).expect(201)).body.id;
    const ids = async (who: string) => (await h.request.get('/searches').set(as(who)).expect(200)).body.searches.map((s: { id: string }) => s.id);
    expect(await ids('alpha')).toEqual([searchA]);
    expect(await ids('beta')).toEqual([b]);
    expect((await h.core.store.getSearch(b))?.tenant).toBe('beta');
  });

  it('lets the owner predict with its model', async () => {
    const res = await h.request.post(`/models/${modelA}/predict`).set(as('alpha')).send({ instances: [img()] }).expect(200);
    expect(res.body.predictions[0].probabilities).toHaveLength(10);
  });

  it('keeps the admin key to key management, and tenant keys away from it (403)', async () => {
    expect((await h.request.get('/searches').set(as('admin')).expect(403)).body.error.code).toBe('FORBIDDEN');
    await h.request.get(`/models/${modelA}`).set(as('admin')).expect(403);
    for (const req of [h.request.get('/api-keys'), h.request.post('/api-keys').send({ tenant: 'gamma', name: 'x' }), h.request.delete(`/api-keys/${key.beta.id}`)])
      expect((await req.set(as('alpha')).expect(403)).body.error.code).toBe('FORBIDDEN');
    expect((await h.request.get('/api-keys').set(as('admin'))).body.apiKeys).toHaveLength(2); // nothing was created or revoked
  });

  it('revokes a key: it answers 401 from then on, and the list says when', async () => {
    const extra = (await h.request.post('/api-keys').set(as('admin')).send({ tenant: 'alpha', name: 'ci' }).expect(201)).body;
    await h.request.get('/searches').set('authorization', `Bearer ${extra.key}`).expect(200);
    const revoked = (await h.request.delete(`/api-keys/${extra.id}`).set(as('admin')).expect(200)).body;
    expect(revoked.revokedAt).not.toBeNull();
    expect((await h.request.get('/searches').set('authorization', `Bearer ${extra.key}`).expect(401)).body.error.code).toBe('UNAUTHORIZED');
    await h.request.delete(`/api-keys/${extra.id}`).set(as('admin')).expect(200); // idempotent
    await h.request.delete('/api-keys/nope').set(as('admin')).expect(404);
    await h.request.get('/searches').set(as('alpha')).expect(200); // the tenant's other key still works
  });

  it('validates new keys: tenant names are a safe alphabet', async () => {
    for (const tenant of ['../../etc/passwd', 'Upper', '', '-x'])
      expect((await h.request.post('/api-keys').set(as('admin')).send({ tenant, name: 'x' }).expect(400)).body.error.message).toMatch(/^tenant: /);
  });

  it('describes bearer auth and the key endpoints in OpenAPI', async () => {
    const { body } = await h.request.get('/docs/json').expect(200);
    expect(body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(body.security).toEqual([{ bearerAuth: [] }]);
    expect(body.paths['/health'].get.security).toEqual([]);
    expect(Object.keys(body.paths['/api-keys'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(body.paths['/api-keys/{id}']).toHaveProperty('delete');
    expect(body.paths['/api-keys'].post.responses['201'].content['application/json'].schema.properties).toHaveProperty('key');
  });
});

describe('with authentication off (the embedded default)', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(async () => { await h?.close(); });

  it('needs no key, ignores one, and stores searches without a tenant', async () => {
    const id = (await h.request.post('/searches').send(tinySearch()).expect(201)).body.id;
    await h.request.get(`/searches/${id}`).set('authorization', 'Bearer whatever').expect(200);
    expect((await h.core.store.getSearch(id))?.tenant).toBeNull();
    expect((await h.request.get('/searches').expect(200)).body.searches).toHaveLength(1);
  });

  it('answers the key endpoints with 409: there is nothing to manage', async () => {
    const res = await h.request.post('/api-keys').send({ tenant: 'a', name: 'b' }).expect(409);
    expect(res.body.error.message).toMatch(/ADMIN_API_KEY/);
    await h.request.get('/api-keys').expect(409);
  });
});
