-- CreateTable
CREATE TABLE "datasets" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenant" TEXT,
    "name" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "input_shape" JSONB NOT NULL,
    "num_classes" INTEGER NOT NULL,
    "labels" JSONB NOT NULL,
    "train_size" INTEGER NOT NULL,
    "test_size" INTEGER NOT NULL,
    "pixel_max" REAL NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "dataset_data" (
    "dataset_id" TEXT NOT NULL PRIMARY KEY,
    "train_images" BLOB NOT NULL,
    "train_labels" BLOB NOT NULL,
    "test_images" BLOB NOT NULL,
    "test_labels" BLOB NOT NULL,
    CONSTRAINT "dataset_data_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "datasets_tenant_idx" ON "datasets"("tenant");
