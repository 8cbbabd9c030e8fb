// What the CLI reads from the API, loosely typed on purpose: fields the service adds later (a
// trial's `value`, `rung`, `parentTrialId`, new statuses) pass through and are shown generically.

export interface SearchInfo {
  id: string;
  name: string;
  status: string;
  trials: Record<string, number>;
  bestTrial: ({ id: string; number: number; valAccuracy: number | null; value?: number | null } & Record<string, unknown>) | null;
  bestModelId: string | null;
  error: string | null;
  spec?: unknown;
  createdAt: string;
  finishedAt: string | null;
}

export type TrialInfo = {
  id: string;
  number: number;
  status: string;
  hyperparameters?: Record<string, unknown>;
  valAccuracy?: number | null;
  epochs?: unknown[] | number;
  error?: string | null;
} & Record<string, unknown>;

export interface ModelInfo {
  id: string;
  inputShape: number[];
  dataset: { id: string; labels: string[]; pixelMax: number };
  metrics?: { valAccuracy: number | null };
}

export interface Prediction {
  classIndex: number;
  label: string;
  probabilities: number[];
}
