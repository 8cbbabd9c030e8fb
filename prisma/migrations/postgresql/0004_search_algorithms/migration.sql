-- AlterTable
ALTER TABLE "epoch_metrics" DROP CONSTRAINT "epoch_metrics_pkey",
ADD COLUMN     "execution" INTEGER NOT NULL DEFAULT 0,
ADD CONSTRAINT "epoch_metrics_pkey" PRIMARY KEY ("trial_id", "execution", "epoch");

-- AlterTable
ALTER TABLE "models" ADD COLUMN     "parent_model_id" TEXT;

-- AlterTable
ALTER TABLE "searches" ADD COLUMN     "pending_trials" JSONB;

-- AlterTable
ALTER TABLE "trial_checkpoints" ADD COLUMN     "execution" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "trials" ADD COLUMN     "bracket" INTEGER,
ADD COLUMN     "initial_epoch" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "parent_trial_id" TEXT,
ADD COLUMN     "rung" INTEGER,
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'oracle',
ADD COLUMN     "target_epochs" INTEGER,
ADD COLUMN     "value" DOUBLE PRECISION;

-- Every search so far had val_accuracy as its objective.
UPDATE "trials" SET "value" = "val_accuracy" WHERE "value" IS NULL;
