-- AlterTable
ALTER TABLE "datasets" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'ready',
ADD COLUMN "error" JSONB,
ADD COLUMN "bytes" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "heartbeat_at" TIMESTAMP(3);

-- Existing uploads count with their stored data (DATASET_QUOTA_BYTES).
UPDATE "datasets" SET "bytes" = (
  SELECT octet_length("train_images") + octet_length("train_labels") + octet_length("test_images") + octet_length("test_labels")
  FROM "dataset_data" WHERE "dataset_data"."dataset_id" = "datasets"."id"
) WHERE EXISTS (SELECT 1 FROM "dataset_data" WHERE "dataset_data"."dataset_id" = "datasets"."id");
