-- AlterTable
ALTER TABLE "trials" ADD COLUMN "latency_ms" DOUBLE PRECISION;
