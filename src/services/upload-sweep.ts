// What a dead process leaves of uploads: 'processing' rows whose decoding stopped beating (the API
// or its decoding child died), and upload folders no processing row owns (the API died between
// storing the files and creating the row). Stale rows are failed, and their files removed, as soon
// as anyone would see them: when read, when their tenant's quota is counted (a dead upload must not
// hold quota), and when the API starts, which also removes the orphaned folders.
import type { DatasetProcessor } from '../ports/dataset-processor.js';
import type { DatasetStore } from '../ports/dataset-store.js';

/** A processing dataset whose heartbeat is older has lost its decoding process. */
export const PROCESSING_STALE_MS = 5 * 60_000;
export const STALE_MESSAGE = 'processing stopped: the API restarted or the decoding process died';
const STALE = { field: null, message: STALE_MESSAGE };

export const staleBefore = (now: Date) => new Date(now.getTime() - PROCESSING_STALE_MS);

/** Fails the stale processing rows (of one tenant, null: no tenant's; undefined: every tenant's) and removes their files. */
export async function failStaleUploads(store: DatasetStore, processor: DatasetProcessor, tenant: string | null | undefined, now = new Date()): Promise<string[]> {
  const before = staleBefore(now);
  const failed: string[] = [];
  for (const id of await store.staleProcessingDatasets(before, tenant)) if (await failIfStale(store, processor, id, before)) failed.push(id);
  return failed;
}

/**
 * Fails the dataset as stale and removes its files, if it is still processing with a heartbeat
 * older than `before`: a decoding that beat meanwhile keeps its row. True when it was failed.
 */
export async function failIfStale(store: DatasetStore, processor: DatasetProcessor, id: string, before: Date): Promise<boolean> {
  if (!(await store.failDataset(id, STALE, before))) return false;
  await processor.discard(id);
  return true;
}

/** At the API's start: stale rows failed, and folders untouched for PROCESSING_STALE_MS that no processing row owns removed. */
export async function sweepUploads(store: DatasetStore, processor: DatasetProcessor, now = new Date()): Promise<{ failed: string[]; removed: string[] }> {
  const failed = await failStaleUploads(store, processor, undefined, now);
  const removed: string[] = [];
  const before = staleBefore(now);
  for (const { id, modifiedAt } of await processor.uploads()) {
    // Recent: an upload still arriving (its row comes once its files are stored), or another process's.
    if (modifiedAt >= before || (await store.getDataset(id))?.status === 'processing') continue;
    await processor.discard(id);
    removed.push(id);
  }
  return { failed, removed };
}
