-- AlterTable
ALTER TABLE "models" ADD COLUMN "parent_model_id" TEXT;

-- AlterTable
ALTER TABLE "searches" ADD COLUMN "pending_trials" JSONB;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_epoch_metrics" (
    "trial_id" TEXT NOT NULL,
    "execution" INTEGER NOT NULL DEFAULT 0,
    "epoch" INTEGER NOT NULL,
    "loss" REAL NOT NULL,
    "accuracy" REAL NOT NULL,
    "val_loss" REAL NOT NULL,
    "val_accuracy" REAL NOT NULL,
    "duration_ms" INTEGER NOT NULL,

    PRIMARY KEY ("trial_id", "execution", "epoch"),
    CONSTRAINT "epoch_metrics_trial_id_fkey" FOREIGN KEY ("trial_id") REFERENCES "trials" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_epoch_metrics" ("accuracy", "duration_ms", "epoch", "loss", "trial_id", "val_accuracy", "val_loss") SELECT "accuracy", "duration_ms", "epoch", "loss", "trial_id", "val_accuracy", "val_loss" FROM "epoch_metrics";
DROP TABLE "epoch_metrics";
ALTER TABLE "new_epoch_metrics" RENAME TO "epoch_metrics";
CREATE TABLE "new_trial_checkpoints" (
    "trial_id" TEXT NOT NULL PRIMARY KEY,
    "execution" INTEGER NOT NULL DEFAULT 0,
    "epoch" INTEGER NOT NULL,
    "weight_specs" JSONB NOT NULL,
    "weight_data" BLOB NOT NULL,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "trial_checkpoints_trial_id_fkey" FOREIGN KEY ("trial_id") REFERENCES "trials" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_trial_checkpoints" ("epoch", "trial_id", "updated_at", "weight_data", "weight_specs") SELECT "epoch", "trial_id", "updated_at", "weight_data", "weight_specs" FROM "trial_checkpoints";
DROP TABLE "trial_checkpoints";
ALTER TABLE "new_trial_checkpoints" RENAME TO "trial_checkpoints";
CREATE TABLE "new_trials" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "search_id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "hyperparameters" JSONB NOT NULL,
    "val_accuracy" REAL,
    "backend" TEXT,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" DATETIME,
    "finished_at" DATETIME,
    "heartbeat_at" DATETIME,
    "value" REAL,
    "target_epochs" INTEGER,
    "initial_epoch" INTEGER NOT NULL DEFAULT 0,
    "parent_trial_id" TEXT,
    "bracket" INTEGER,
    "rung" INTEGER,
    "source" TEXT NOT NULL DEFAULT 'oracle',
    CONSTRAINT "trials_search_id_fkey" FOREIGN KEY ("search_id") REFERENCES "searches" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_trials" ("attempts", "backend", "created_at", "error", "finished_at", "heartbeat_at", "hyperparameters", "id", "number", "search_id", "started_at", "status", "val_accuracy") SELECT "attempts", "backend", "created_at", "error", "finished_at", "heartbeat_at", "hyperparameters", "id", "number", "search_id", "started_at", "status", "val_accuracy" FROM "trials";
DROP TABLE "trials";
ALTER TABLE "new_trials" RENAME TO "trials";
CREATE INDEX "trials_status_idx" ON "trials"("status");
CREATE INDEX "trials_search_id_idx" ON "trials"("search_id");
CREATE UNIQUE INDEX "trials_search_id_number_key" ON "trials"("search_id", "number");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Every search so far had val_accuracy as its objective.
UPDATE "trials" SET "value" = "val_accuracy" WHERE "value" IS NULL;
