// The API-key store on every backend: keys kept by hash only, revoked once.
import { expect, it } from 'vitest';
import { describeBackends, FIRST } from './backends.js';

describeBackends('API-key store', ({ open }) => {
  it('stores API keys by hash only, finds and revokes them', async () => {
    const keys = (await open()).apiKeys();
    const created = await keys.createApiKey({ id: 'k1', tenant: 't', name: 'laptop', keyHash: 'h1', prefix: 'htk_abc' });
    expect(created).toMatchObject({ id: 'k1', tenant: 't', name: 'laptop', prefix: 'htk_abc', revokedAt: null });
    expect(created).not.toHaveProperty('keyHash');
    expect((await keys.findApiKeyByHash('h1'))?.id).toBe('k1');
    expect(await keys.findApiKeyByHash('h2')).toBeNull();
    const at = new Date('2026-01-01T00:00:00Z');
    expect((await keys.revokeApiKey('k1', at))?.revokedAt).toEqual(at);
    expect((await keys.revokeApiKey('k1', new Date()))?.revokedAt).toEqual(at); // the first revocation stands
    expect(await keys.revokeApiKey('nope', at)).toBeNull();
    expect((await keys.listApiKeys(FIRST)).items.map((k) => k.id)).toEqual(['k1']);
  });
});
