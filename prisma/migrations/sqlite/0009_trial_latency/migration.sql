-- AlterTable
ALTER TABLE "trials" ADD COLUMN "latency_ms" REAL;
