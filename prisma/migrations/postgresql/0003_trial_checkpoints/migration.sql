-- CreateTable
CREATE TABLE "trial_checkpoints" (
    "trial_id" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "weight_specs" JSONB NOT NULL,
    "weight_data" BYTEA NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "trial_checkpoints_pkey" PRIMARY KEY ("trial_id")
);

-- AddForeignKey
ALTER TABLE "trial_checkpoints" ADD CONSTRAINT "trial_checkpoints_trial_id_fkey" FOREIGN KEY ("trial_id") REFERENCES "trials"("id") ON DELETE CASCADE ON UPDATE CASCADE;
