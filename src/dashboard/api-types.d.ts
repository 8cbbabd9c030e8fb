// The API's response shapes as the dashboard reads them (loosely: a trial may carry fields a newer
// API adds). For the type check only; the page loads no such file.

export type HyperparameterValue = number | string | boolean;

export interface HyperparameterDef {
  name: string;
  type: string;
  min?: number;
  max?: number;
  sampling?: string;
  values?: HyperparameterValue[];
  value?: HyperparameterValue;
}

export interface SearchSpec {
  objective?: { metric?: string; direction?: 'min' | 'max' };
  /** A multi-objective search's, the first the primary. */
  objectives?: { name: string; direction: 'min' | 'max' }[];
  training?: { epochs: number; batchSize: number };
  hyperparameters?: HyperparameterDef[];
  budget?: { maxTrials?: number };
  algorithm?: { name?: string };
  dataset?: { id?: string; limit?: number };
}

export interface Search {
  id: string;
  name: string;
  status: string;
  error?: string | null;
  createdAt: string;
  spec?: SearchSpec;
  /** Trials per status, and `total`. */
  trials?: Record<string, number | undefined>;
  bestTrial?: { id: string; number: number; value?: number | null; valAccuracy?: number | null } | null;
  bestModelId?: string | null;
  /** With several objectives: the completed trials no other beats in every objective. */
  paretoFront?: { trialId: string; values: Record<string, number> }[];
}

/** GET /searches lists these: no spec, its fields the list shows copied beside it. */
export interface SearchSummary {
  id: string;
  name: string;
  status: string;
  error?: string | null;
  createdAt: string;
  algorithm?: string;
  datasetId?: string;
  maxTrials?: number;
  objective?: { metric: string; direction: string };
  trials?: Record<string, number | undefined>;
  bestTrial?: { id: string; number: number; value?: number | null; valAccuracy?: number | null } | null;
}

/** GET /searches/:id/importance: each hyperparameter's share (PED-ANOVA), largest first. */
export interface Importance {
  objective: { metric: string; direction: string };
  method: string;
  baselineQuantile?: number;
  trials: number;
  importances: { name: string; importance: number; trials: number }[];
  reason?: string;
}

export interface Epoch {
  epoch: number;
  execution?: number;
  [metric: string]: number | undefined;
}

export interface Trial {
  id: string;
  number: number;
  status: string;
  hyperparameters: Record<string, HyperparameterValue>;
  epochs: Epoch[];
  valAccuracy?: number | null;
  value?: number | null;
  backend?: string;
  error?: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  targetEpochs?: number | null;
  /** A multi-objective search's completed trial: its value per objective name. */
  objectiveValues?: Record<string, number>;
  [field: string]: unknown;
}

export interface Layer {
  name: string;
  type: string;
  outputShape: (number | null)[];
  params: number;
}

export interface Model {
  id: string;
  inputShape: number[];
  dataset: { id: string; pixelMax: number; labels: string[] };
  metrics?: { valAccuracy?: number; bestEpoch?: number; epochs?: number };
  hyperparameters?: Record<string, HyperparameterValue>;
  layers?: Layer[];
  optimizer?: { type?: string; learningRate?: number };
  loss?: string;
  totalParams: number;
  trainableParams: number;
}

export interface Prediction {
  classIndex: number;
  label: string;
  probabilities: number[];
}
