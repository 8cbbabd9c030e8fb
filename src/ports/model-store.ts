// The models port: one trained model per trial, its summary apart from its (large) artifact.
import type { ModelArtifact } from '../domain/model-artifact.js';
import type { ModelSummary } from '../domain/model-summary.js';

export interface ModelRecord {
  id: string;
  searchId: string;
  trialId: string;
  /** The model it continued training from (a retrain); null for a search trial's own model. */
  parentModelId: string | null;
  summary: ModelSummary;
  createdAt: Date;
}

export interface NewModel {
  id: string;
  searchId: string;
  trialId: string;
  parentModelId?: string | null;
  summary: ModelSummary;
  artifact: ModelArtifact;
}

export interface ModelStore {
  /** One model per trial: saving again replaces it. */
  saveModel(input: NewModel): Promise<ModelRecord>;
  getModel(id: string): Promise<ModelRecord | null>;
  getModelArtifact(id: string): Promise<ModelArtifact | null>;
}
