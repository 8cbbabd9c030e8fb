-- AlterTable
ALTER TABLE "trials" ADD COLUMN "cancel_requested_at" TIMESTAMP(3);
