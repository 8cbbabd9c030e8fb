-- AlterTable: summary columns, copies of spec fields, so listing searches never reads the spec.
ALTER TABLE "searches" ADD COLUMN     "algorithm" TEXT NOT NULL DEFAULT 'random',
ADD COLUMN     "dataset_id" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "max_trials" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "objective_direction" TEXT NOT NULL DEFAULT 'max',
ADD COLUMN     "objective_metric" TEXT NOT NULL DEFAULT 'val_accuracy';

-- Backfill the searches created before these columns from their specs.
UPDATE "searches" SET
    "algorithm" = COALESCE("spec" -> 'algorithm' ->> 'name', 'random'),
    "dataset_id" = COALESCE("spec" -> 'dataset' ->> 'id', ''),
    "objective_metric" = COALESCE("spec" -> 'objective' ->> 'metric', 'val_accuracy'),
    "objective_direction" = COALESCE("spec" -> 'objective' ->> 'direction', 'max'),
    "max_trials" = COALESCE(("spec" -> 'budget' ->> 'maxTrials')::INTEGER, 0);

-- CreateIndex: the keyset orders of GET /searches, /datasets, /api-keys.
CREATE INDEX "api_keys_created_at_id_idx" ON "api_keys"("created_at", "id");

-- CreateIndex
CREATE INDEX "datasets_tenant_created_at_id_idx" ON "datasets"("tenant", "created_at", "id");

-- CreateIndex
CREATE INDEX "searches_tenant_created_at_id_idx" ON "searches"("tenant", "created_at", "id");
