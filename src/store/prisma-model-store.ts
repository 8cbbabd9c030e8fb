// The models port on Prisma: a model's summary row without its artifact columns unless asked. A
// save goes through the database driver (model-rows.ts): Prisma would carry the weights as base64.
import type { ModelSummary } from '../domain/model-summary.js';
import type { Model } from '../generated/sqlite/client.js';
import type { ModelRecord, ModelStore } from '../ports/model-store.js';
import type { SaveModelRow } from './model-rows.js';
import type { DbClient } from './prisma-client.js';
import type { Runner } from './sqlite-queue.js';

const WITHOUT_ARTIFACT = { modelTopology: true, weightSpecs: true, weightData: true } as const;

export function prismaModelStore(db: DbClient, run: Runner, saveRow: SaveModelRow): ModelStore {
  return {
    /**
     * One model per trial. Saving again for the same trial replaces the content (and createdAt) but
     * KEEPS the existing row's id, input.id going unused, so a bestModelId already pointing at it
     * stays valid: callers must use the returned record's id.
     */
    saveModel(input) {
      return run(() => saveRow(input));
    },

    getModel(id) {
      return run(async () => {
        const row = await db.model.findUnique({ where: { id }, omit: WITHOUT_ARTIFACT });
        return row && toModel(row);
      });
    },

    getModelArtifact(id) {
      return run(async () => {
        const row = await db.model.findUnique({ where: { id }, select: WITHOUT_ARTIFACT });
        return row && { modelTopology: row.modelTopology, weightSpecs: row.weightSpecs as unknown[], weightData: row.weightData };
      });
    },
  };
}

function toModel(row: Pick<Model, 'id' | 'searchId' | 'trialId' | 'parentModelId' | 'summary' | 'createdAt'>): ModelRecord {
  const { id, searchId, trialId, parentModelId, createdAt } = row;
  return { id, searchId, trialId, parentModelId, summary: row.summary as unknown as ModelSummary, createdAt };
}
