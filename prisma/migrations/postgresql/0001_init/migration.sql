-- CreateTable
CREATE TABLE "searches" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "best_trial_id" TEXT,
    "best_model_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "searches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trials" (
    "id" TEXT NOT NULL,
    "search_id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "hyperparameters" JSONB NOT NULL,
    "val_accuracy" DOUBLE PRECISION,
    "backend" TEXT,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "heartbeat_at" TIMESTAMP(3),

    CONSTRAINT "trials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "epoch_metrics" (
    "trial_id" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "loss" DOUBLE PRECISION NOT NULL,
    "accuracy" DOUBLE PRECISION NOT NULL,
    "val_loss" DOUBLE PRECISION NOT NULL,
    "val_accuracy" DOUBLE PRECISION NOT NULL,
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "epoch_metrics_pkey" PRIMARY KEY ("trial_id","epoch")
);

-- CreateTable
CREATE TABLE "models" (
    "id" TEXT NOT NULL,
    "search_id" TEXT NOT NULL,
    "trial_id" TEXT NOT NULL,
    "summary" JSONB NOT NULL,
    "model_topology" JSONB NOT NULL,
    "weight_specs" JSONB NOT NULL,
    "weight_data" BYTEA NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "models_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "trials_status_idx" ON "trials"("status");

-- CreateIndex
CREATE INDEX "trials_search_id_idx" ON "trials"("search_id");

-- CreateIndex
CREATE UNIQUE INDEX "trials_search_id_number_key" ON "trials"("search_id", "number");

-- CreateIndex
CREATE UNIQUE INDEX "models_trial_id_key" ON "models"("trial_id");

-- CreateIndex
CREATE INDEX "models_search_id_idx" ON "models"("search_id");

-- AddForeignKey
ALTER TABLE "trials" ADD CONSTRAINT "trials_search_id_fkey" FOREIGN KEY ("search_id") REFERENCES "searches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "epoch_metrics" ADD CONSTRAINT "epoch_metrics_trial_id_fkey" FOREIGN KEY ("trial_id") REFERENCES "trials"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "models" ADD CONSTRAINT "models_trial_id_fkey" FOREIGN KEY ("trial_id") REFERENCES "trials"("id") ON DELETE CASCADE ON UPDATE CASCADE;
