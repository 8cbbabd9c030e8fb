// Settings reach trial child processes, secrets do not; the body limits, upload quotas and trial processes have their defaults and bounds.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('dataset uploads', () => {
  it('default to 20 datasets and 2 GiB per tenant, decoded from a folder under the temp dir; 0 turns a quota off', () => {
    const defaults = loadConfig({});
    expect(defaults.quotas).toMatchObject({ datasets: 20, datasetBytes: 2 * 1024 ** 3 });
    expect(defaults.datasetUploadDir).toBe(join(tmpdir(), 'hypertune-uploads'));
    const set = loadConfig({ DATASET_QUOTA_COUNT: '0', DATASET_QUOTA_BYTES: '1000', DATASET_UPLOAD_DIR: '/srv/uploads' });
    expect(set.quotas).toMatchObject({ datasets: 0, datasetBytes: 1000 });
    expect(set.datasetUploadDir).toBe('/srv/uploads');
    expect(() => loadConfig({ DATASET_QUOTA_BYTES: '-1' })).toThrow(/DATASET_QUOTA_BYTES/);
  });

  it('keep the decoding process 30 s without an upload by default; 0 lets it go after each', () => {
    expect(loadConfig({}).datasetDecoderIdleMs).toBe(30_000);
    expect(loadConfig({ DATASET_DECODER_IDLE_MS: '0' }).datasetDecoderIdleMs).toBe(0);
    expect(() => loadConfig({ DATASET_DECODER_IDLE_MS: '-5' })).toThrow(/DATASET_DECODER_IDLE_MS must be an integer >= 0/);
  });
});

describe('prediction batching', () => {
  it('merges up to 64 images waiting at most 2 ms by default; a wait of 0 runs at once, a max of 0 is refused', () => {
    expect(loadConfig({}).predictBatch).toEqual({ maxImages: 64, waitMs: 2 });
    expect(loadConfig({ PREDICT_BATCH_MAX: '1', PREDICT_BATCH_WAIT_MS: '0' }).predictBatch).toEqual({ maxImages: 1, waitMs: 0 });
    expect(() => loadConfig({ PREDICT_BATCH_MAX: '0' })).toThrow(/PREDICT_BATCH_MAX must be an integer >= 1/);
    expect(() => loadConfig({ PREDICT_BATCH_WAIT_MS: '1.5' })).toThrow(/PREDICT_BATCH_WAIT_MS/);
  });
});

describe('trial processes', () => {
  it('run from a bundle and keep a spare by default; TRIAL_CHILD_BUNDLE=false (or 0) runs them through tsx', () => {
    expect(loadConfig({})).toMatchObject({ trialChildBundle: true, trialSpareProcess: true });
    expect(loadConfig({ TRIAL_CHILD_BUNDLE: 'false' }).trialChildBundle).toBe(false);
    expect(loadConfig({ TRIAL_CHILD_BUNDLE: '0' }).trialChildBundle).toBe(false);
    expect(() => loadConfig({ TRIAL_CHILD_BUNDLE: 'off' })).toThrow(/TRIAL_CHILD_BUNDLE must be true or false, got 'off'/);
  });
});
