// Settings reach trial child processes, secrets do not; the body limits have their defaults and bounds.
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

describe('body limits', () => {
  it('gives a search 256 KiB and 32,768 JSON values unless set, below the BODY_LIMIT_BYTES ceiling', () => {
    expect(loadConfig({})).toMatchObject({ bodyLimitBytes: 8 * 1024 * 1024, searchBodyLimits: { bytes: 256 * 1024, values: 32_768 } });
    expect(loadConfig({ SEARCH_BODY_LIMIT_BYTES: '1048576', SEARCH_BODY_MAX_VALUES: '100000' }).searchBodyLimits).toEqual({ bytes: 1_048_576, values: 100_000 });
    expect(() => loadConfig({ SEARCH_BODY_LIMIT_BYTES: '100' })).toThrow(/SEARCH_BODY_LIMIT_BYTES must be an integer >= 1024/);
    expect(() => loadConfig({ SEARCH_BODY_MAX_VALUES: 'many' })).toThrow(/SEARCH_BODY_MAX_VALUES must be an integer >= 64/);
  });
});
