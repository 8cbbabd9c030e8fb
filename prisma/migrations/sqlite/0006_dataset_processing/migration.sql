-- AlterTable
ALTER TABLE "datasets" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'ready';
ALTER TABLE "datasets" ADD COLUMN "error" JSONB;
ALTER TABLE "datasets" ADD COLUMN "bytes" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "datasets" ADD COLUMN "heartbeat_at" DATETIME;

-- Existing uploads count with their stored data (DATASET_QUOTA_BYTES).
UPDATE "datasets" SET "bytes" = (
  SELECT length("train_images") + length("train_labels") + length("test_images") + length("test_labels")
  FROM "dataset_data" WHERE "dataset_data"."dataset_id" = "datasets"."id"
) WHERE EXISTS (SELECT 1 FROM "dataset_data" WHERE "dataset_data"."dataset_id" = "datasets"."id");
