// The models port on Prisma: a model's summary row without its artifact columns unless asked.
import type { ModelSummary } from '../domain/model-summary.js';
import type { Model } from '../generated/sqlite/client.js';
import type { ModelRecord, ModelStore } from '../ports/model-store.js';
import { json, type DbClient } from './prisma-client.js';
import type { Runner } from './sqlite-queue.js';

const WITHOUT_ARTIFACT = { modelTopology: true, weightSpecs: true, weightData: true } as const;

export function prismaModelStore(db: DbClient, run: Runner): ModelStore {
  return {
    /**
     * One model per trial. Saving again for the same trial replaces the content (and createdAt) but
     * KEEPS the existing row's id, input.id going unused, so a bestModelId already pointing at it
     * stays valid: callers must use the returned record's id.
     */
    saveModel(input) {
      const { artifact } = input;
      const content = {
        searchId: input.searchId,
        parentModelId: input.parentModelId ?? null,
        summary: json(input.summary),
        modelTopology: json(artifact.modelTopology),
        weightSpecs: json(artifact.weightSpecs),
        // Prisma wants a Uint8Array over a plain ArrayBuffer; tfjs may hand over a view into a
        // larger or shared buffer, so copy exactly the view's bytes.
        weightData: new Uint8Array(artifact.weightData),
      };
      // Find, then update or create, rather than upsert: see saveCheckpoint in prisma-epoch-store.ts.
      return run(async () => {
        const existing = await db.model.findUnique({ where: { trialId: input.trialId }, select: { id: true } });
        const row = existing
          ? await db.model.update({ where: { id: existing.id }, data: { ...content, createdAt: new Date() }, omit: WITHOUT_ARTIFACT })
          : await db.model.create({ data: { id: input.id, trialId: input.trialId, ...content }, omit: WITHOUT_ARTIFACT });
        return toModel(row);
      });
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
