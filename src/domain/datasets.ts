// Datasets a search may name. Only what the rules need (shapes, classes, sizes); reading the
// files is src/datasets' job (the built-ins: fashion-mnist.ts).

export interface DatasetInfo {
  id: string;
  inputShape: [number, number, number];
  numClasses: number;
  labels: string[];
  trainSize: number;
  testSize: number;
  /** Raw pixel range; training and prediction divide by it. */
  pixelMax: number;
}

export const DATASETS: Record<string, DatasetInfo> = {
  'fashion-mnist': {
    id: 'fashion-mnist',
    inputShape: [28, 28, 1],
    numClasses: 10,
    labels: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    trainSize: 60000,
    testSize: 10000,
    pixelMax: 255,
  },
};

export const datasetInfo = (id: string): DatasetInfo | undefined => (Object.hasOwn(DATASETS, id) ? DATASETS[id] : undefined);

/** The files an uploaded dataset may come as (POST /datasets); the built-ins ship as IDX. */
export const DATASET_FORMATS = ['idx', 'images-zip', 'csv'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Labels are stored one byte per item. */
export const MAX_CLASSES = 256;

/** The text fields of an upload (POST /datasets), as sent. */
export interface UploadFields {
  name: string;
  format: DatasetFormat;
  /** Class names: a JSON array of strings, or comma-separated. */
  labels?: string;
  /** [height, width] or [height, width, channels]: a JSON array, comma- or 'x'-separated. */
  inputShape?: string;
  /** '1' (grayscale) or '3' (RGB). */
  channels?: string;
  /** The CSV's pixel range (default 255). */
  pixelMax?: string;
}
