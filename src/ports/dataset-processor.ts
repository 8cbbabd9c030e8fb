// The port to what decodes uploads off the API's event loop (src/datasets/upload-runner.ts): the
// route has stored the files, the service has created the 'processing' row, and the processor
// decodes the files, stores the data and marks the row ready or failed.
import type { UploadFields } from '../domain/datasets.js';

export interface UploadJob {
  /** The dataset's id, which is also the upload's folder under DATASET_UPLOAD_DIR. */
  id: string;
  fields: UploadFields;
  /** The uploaded files by form field, on disk. */
  files: { field: string; path: string }[];
}

export interface DatasetProcessor {
  /** Queues the job; returns at once. */
  start(job: UploadJob): void;
  /** Removes what is left of an upload's files (a stale or deleted dataset's). */
  discard(id: string): Promise<void>;
  /** The uploads whose files are still here, and when each was last written. */
  uploads(): Promise<{ id: string; modifiedAt: Date }[]>;
}
