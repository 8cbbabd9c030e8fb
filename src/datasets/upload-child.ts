// The decoding process of one upload (started by upload-runner.ts, argv[2] the job as JSON): reads
// the uploaded files, runs the format's parser, and stores the data and the ready status itself
// with its own database client, so that neither the parsing nor the write of hundreds of MB of
// pixels happens on the API's event loop. A bad upload is stored as failed with the field and
// reason of its ValidationError (or the size limit's message). The files are removed either way.
import { readFile, rm } from 'node:fs/promises';
import { ValidationError } from '../domain/errors.js';
import type { DatasetFailure } from '../ports/dataset-store.js';
import { openPrismaStore } from '../store/prisma-store.js';
import { checkpointSqlite } from '../store/sqlite-checkpoint.js';
import { TooLargeError } from './limits.js';
import { parseUpload } from './upload.js';
import type { ChildJob } from './upload-runner.js';

const NO_DATA = { images: new Uint8Array(0), labels: new Uint8Array(0) };

function failureOf(err: unknown): DatasetFailure {
  if (err instanceof ValidationError) return { field: err.field, message: err.message };
  if (err instanceof TooLargeError) return { field: null, message: err.message };
  return { field: null, message: `decoding failed: ${(err as Error)?.message ?? String(err)}` };
}

async function main(job: ChildJob): Promise<void> {
  const db = await openPrismaStore(job.databaseUrl);
  const store = db.datasets();
  const beat = setInterval(() => void store.heartbeatDataset(job.id).catch(() => undefined), job.heartbeatMs);
  try {
    const files = new Map<string, Uint8Array>();
    for (const { field, path } of job.files) files.set(field, await readFile(path));
    // Read: the files are done with before the row says ready or failed.
    await rm(job.dir, { recursive: true, force: true });
    const parsed = await parseUpload(job.fields, files, job.maxBytes);
    files.clear();
    const { train, test, labels, pixelMax } = parsed;
    const testData = test ?? NO_DATA;
    const bytes = train.images.byteLength + train.labels.byteLength + testData.images.byteLength + testData.labels.byteLength;
    await store.completeDataset(job.id, {
      inputShape: [train.height, train.width, train.channels], numClasses: labels.length, labels,
      trainSize: train.count, testSize: test?.count ?? 0, pixelMax, bytes,
    }, { train, test: testData });
    // Here, not in the API's next write (see sqlite-checkpoint.ts).
    checkpointSqlite(job.databaseUrl);
  } catch (err) {
    if (!(err instanceof ValidationError || err instanceof TooLargeError)) console.error(`dataset ${job.id}: decoding failed`, err);
    await rm(job.dir, { recursive: true, force: true });
    await store.failDataset(job.id, failureOf(err));
  } finally {
    clearInterval(beat);
    await db.close();
  }
}

// The API gone (its IPC channel closed), nobody would see the result: the row goes stale instead.
process.on('disconnect', () => process.exit(1));
main(JSON.parse(process.argv[2]) as ChildJob).then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
