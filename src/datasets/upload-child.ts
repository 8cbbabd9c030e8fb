// The decoding process of uploads (started by upload-runner.ts, argv[2] its DecoderConfig as JSON),
// long-lived: it opens its database client once and takes jobs one at a time over IPC (a cold tsx
// process costs about 1.4 s of CPU per upload). For each it reads the uploaded files, runs the
// format's parser, and stores the data and the ready status itself, so that neither the parsing
// nor the write of hundreds of MB of pixels happens on the API's event loop. A bad upload is stored
// as failed with the field and reason of its ValidationError (or the size limit's message). The
// files are removed either way. It exits after idleMs without a job, or after a job that left its
// RSS above maxRssBytes; the runner starts a fresh one for the next job.
import { readFile, rm } from 'node:fs/promises';
import { ValidationError } from '../domain/errors.js';
import type { DatasetFailure, DatasetStore } from '../ports/dataset-store.js';
import { openPrismaStore } from '../store/prisma-store.js';
import { checkpointSqlite } from '../store/sqlite-checkpoint.js';
import { TooLargeError } from './limits.js';
import { parseUpload } from './upload.js';
import type { DecoderConfig, DoneMessage, JobMessage } from './upload-protocol.js';

const NO_DATA = { images: new Uint8Array(0), labels: new Uint8Array(0) };

function failureOf(err: unknown): DatasetFailure {
  if (err instanceof ValidationError) return { field: err.field, message: err.message };
  if (err instanceof TooLargeError) return { field: null, message: err.message };
  return { field: null, message: `decoding failed: ${(err as Error)?.message ?? String(err)}` };
}

async function decode(store: DatasetStore, job: JobMessage['job'], config: DecoderConfig): Promise<void> {
  const beat = setInterval(() => void store.heartbeatDataset(job.id).catch(() => undefined), config.heartbeatMs);
  try {
    const files = new Map<string, Uint8Array>();
    for (const { field, path } of job.files) files.set(field, await readFile(path));
    // Read: the files are done with before the row says ready or failed.
    await rm(job.dir, { recursive: true, force: true });
    const parsed = await parseUpload(job.fields, files, config.maxBytes);
    files.clear();
    const { train, test, labels, pixelMax } = parsed;
    const testData = test ?? NO_DATA;
    const bytes = train.images.byteLength + train.labels.byteLength + testData.images.byteLength + testData.labels.byteLength;
    await store.completeDataset(job.id, {
      inputShape: [train.height, train.width, train.channels], numClasses: labels.length, labels,
      trainSize: train.count, testSize: test?.count ?? 0, pixelMax, bytes,
    }, { train, test: testData });
    // Here, not in the API's next write (see sqlite-checkpoint.ts).
    checkpointSqlite(config.databaseUrl);
  } catch (err) {
    if (!(err instanceof ValidationError || err instanceof TooLargeError)) console.error(`dataset ${job.id}: decoding failed`, err);
    await rm(job.dir, { recursive: true, force: true });
    await store.failDataset(job.id, failureOf(err));
  } finally {
    clearInterval(beat);
  }
}

const config = JSON.parse(process.argv[2]) as DecoderConfig;
const db = openPrismaStore(config.databaseUrl);
let idleTimer: NodeJS.Timeout | undefined;
let exiting = false;

/** A clean exit (code 0): the runner re-queues a job it sent that this process never started. */
function quit(): void {
  exiting = true;
  clearTimeout(idleTimer);
  void db.then((d) => d.close()).finally(() => process.exit(0));
}

async function run(job: JobMessage['job']): Promise<void> {
  clearTimeout(idleTimer);
  await decode((await db).datasets(), job, config);
  const retiring = process.memoryUsage.rss() > config.maxRssBytes;
  const done: DoneMessage = { type: 'done', id: job.id, retiring };
  // Sent before exiting: the runner must know the outcome is stored, not guess it from the exit.
  process.send!(done, undefined, undefined, () => {
    if (retiring) quit();
    else idleTimer = setTimeout(quit, config.idleMs);
  });
}

process.on('message', (msg: JobMessage) => {
  if (exiting || msg?.type !== 'job') return;
  run(msg.job).catch((err) => {
    // The outcome could not be stored: exiting non-zero, the runner fails the row instead.
    console.error(err);
    process.exit(1);
  });
});
// The API gone (its IPC channel closed), nobody would see the result: the row goes stale instead.
process.on('disconnect', () => process.exit(1));
