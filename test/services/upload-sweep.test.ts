// What a dead process leaves of uploads, on both databases with a real upload runner's folder:
// stale processing rows are failed (and their files removed) per tenant when its quota is counted,
// and at the API's start, which also removes folders no processing row owns once they are old.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { UploadRunner } from '../../src/datasets/upload-runner.js';
import { QuotaExceededError } from '../../src/domain/errors.js';
import { DatasetService } from '../../src/services/dataset-service.js';
import { failStaleUploads, PROCESSING_STALE_MS, STALE_MESSAGE, sweepUploads } from '../../src/services/upload-sweep.js';
import type { PrismaStore } from '../../src/store/prisma-store.js';
import { describeBackends } from '../store/backends.js';

const folders: string[] = [];
const runners: UploadRunner[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) await r.close();
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

const ago = (ms: number) => new Date(Date.now() - ms);
const OLD = PROCESSING_STALE_MS + 60_000;

function setup(store: PrismaStore) {
  const uploadDir = mkdtempSync(join(tmpdir(), 'hypertune-sweep-'));
  folders.push(uploadDir);
  const runner = new UploadRunner(store.datasets(), { databaseUrl: 'file:unused', maxBytes: 1 << 20, uploadDir });
  runners.push(runner);
  /** An upload's folder with one file, last written `age` ms ago. */
  const folder = (id: string, age: number) => {
    const dir = join(uploadDir, id);
    mkdirSync(dir);
    writeFileSync(join(dir, 'file'), 'x');
    const t = ago(age);
    utimesSync(join(dir, 'file'), t, t);
    utimesSync(dir, t, t);
    return dir;
  };
  const processing = (id: string, tenant: string | null, heartbeat: number) =>
    store.datasets().createProcessingDataset({ id, tenant, name: id, format: 'csv', bytes: 100, heartbeatAt: ago(heartbeat) });
  return { uploadDir, runner, folder, processing };
}

describeBackends('upload sweep', ({ open }) => {
  it('fails one tenant\'s stale processing uploads, removing their files, and leaves the rest', async () => {
    const store = await open();
    const { runner, folder, processing } = setup(store);
    await processing('a-stale', 'a', OLD);
    await processing('a-fresh', 'a', 60_000);
    await processing('b-stale', 'b', OLD);
    const dirs = { aStale: folder('a-stale', OLD), aFresh: folder('a-fresh', OLD), bStale: folder('b-stale', OLD) };
    expect(await failStaleUploads(store.datasets(), runner, 'a')).toEqual(['a-stale']);
    expect(await store.datasets().getDataset('a-stale')).toMatchObject({ status: 'failed', bytes: 0, error: { field: null, message: STALE_MESSAGE } });
    expect((await store.datasets().getDataset('a-fresh'))?.status).toBe('processing');
    expect((await store.datasets().getDataset('b-stale'))?.status).toBe('processing');
    expect([existsSync(dirs.aStale), existsSync(dirs.aFresh), existsSync(dirs.bStale)]).toEqual([false, true, true]);
    expect(await failStaleUploads(store.datasets(), runner, undefined)).toEqual(['b-stale']);
    expect(existsSync(dirs.bStale)).toBe(false);
  });

  it('a stale upload no longer holds its tenant\'s quota', async () => {
    const store = await open();
    const { runner, processing } = setup(store);
    const service = new DatasetService(store.datasets(), { datasetDir: '/nonexistent', maxBytes: 1 << 20, quotas: { count: 1, bytes: 0 } }, runner);
    await processing('dead', 't', OLD);
    await expect(service.checkCountQuota('t')).resolves.toBeUndefined();
    expect((await store.datasets().getDataset('dead'))?.status).toBe('failed');
    await processing('alive', 't', 1000);
    await expect(service.checkCountQuota('t')).rejects.toBeInstanceOf(QuotaExceededError);
  });

  it('at start: fails stale rows and removes old folders no processing row owns', async () => {
    const store = await open();
    const { runner, folder, processing } = setup(store);
    await processing('stale', null, OLD);
    await processing('live', null, 1000);
    const dirs = {
      stale: folder('stale', 1000), live: folder('live', OLD), orphan: folder('orphan', OLD), arriving: folder('arriving', 1000),
    };
    const swept = await sweepUploads(store.datasets(), runner);
    expect(swept.failed).toEqual(['stale']);
    expect(swept.removed).toEqual(['orphan']);
    expect(Object.fromEntries(Object.entries(dirs).map(([k, d]) => [k, existsSync(d)]))).toEqual({ stale: false, live: true, orphan: false, arriving: true });
  });
});
