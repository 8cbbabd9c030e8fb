// Settings reach trial child processes, secrets do not.
import { describe, expect, it } from 'vitest';
import { childEnv, loadConfig } from '../src/config.js';

describe('childEnv', () => {
  it('passes the settings a trial needs and never the admin key', () => {
    const env = { ADMIN_API_KEY: 'k'.repeat(40), TRAINING_BACKEND: 'wasm', TRAINING_THREADS: '3', PATH: '/usr/bin' };
    const child = childEnv(loadConfig(env), env);
    expect(child).toMatchObject({ TRAINING_BACKEND: 'wasm', TRAINING_THREADS: '3', PATH: '/usr/bin' });
    expect(child).not.toHaveProperty('ADMIN_API_KEY');
    expect(JSON.stringify(child)).not.toContain('k'.repeat(40));
  });
});
