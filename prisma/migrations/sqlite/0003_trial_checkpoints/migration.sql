-- CreateTable
CREATE TABLE "trial_checkpoints" (
    "trial_id" TEXT NOT NULL PRIMARY KEY,
    "epoch" INTEGER NOT NULL,
    "weight_specs" JSONB NOT NULL,
    "weight_data" BLOB NOT NULL,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "trial_checkpoints_trial_id_fkey" FOREIGN KEY ("trial_id") REFERENCES "trials" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
