-- CreateTable
CREATE TABLE "datasets" (
    "id" TEXT NOT NULL,
    "tenant" TEXT,
    "name" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "input_shape" JSONB NOT NULL,
    "num_classes" INTEGER NOT NULL,
    "labels" JSONB NOT NULL,
    "train_size" INTEGER NOT NULL,
    "test_size" INTEGER NOT NULL,
    "pixel_max" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "datasets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dataset_data" (
    "dataset_id" TEXT NOT NULL,
    "train_images" BYTEA NOT NULL,
    "train_labels" BYTEA NOT NULL,
    "test_images" BYTEA NOT NULL,
    "test_labels" BYTEA NOT NULL,

    CONSTRAINT "dataset_data_pkey" PRIMARY KEY ("dataset_id")
);

-- CreateIndex
CREATE INDEX "datasets_tenant_idx" ON "datasets"("tenant");

-- AddForeignKey
ALTER TABLE "dataset_data" ADD CONSTRAINT "dataset_data_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
