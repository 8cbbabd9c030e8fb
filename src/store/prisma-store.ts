// The persistence ports on Prisma, for SQLite and PostgreSQL alike (see prisma-client.ts): one
// client and, on SQLite, one operation queue (sqlite-queue.ts) shared by a module per concept.
import type { ApiKeyStore } from '../ports/api-key-store.js';
import type { DatasetStore } from '../ports/dataset-store.js';
import type { Store } from '../ports/store.js';
import { checkpointRows } from './checkpoint-rows.js';
import { driverConnection } from './driver-connection.js';
import { datasetRowLock } from './dataset-row-lock.js';
import { parseDatabaseUrl } from './migrate.js';
import { saveModelRow } from './model-rows.js';
import { PrismaApiKeyStore } from './prisma-api-key-store.js';
import { createPrismaClient } from './prisma-client.js';
import { PrismaDatasetStore } from './prisma-dataset-store.js';
import { prismaEpochStore } from './prisma-epoch-store.js';
import { prismaModelStore } from './prisma-model-store.js';
import { prismaSearchStore } from './prisma-search-store.js';
import { sqliteQueue, unqueued } from './sqlite-queue.js';

export interface PrismaStore extends Store {
  /** The API-key table on this store's connection; closed with it. */
  apiKeys(): ApiKeyStore;
  /** The uploaded datasets on this store's connection; closed with it. */
  datasets(): DatasetStore;
}

/**
 * Connects to a database migrate() has brought up to date: a process that owns the schema
 * migrates once at start (createCore); a trial child opens the store its worker migrated.
 */
export async function openPrismaStore(databaseUrl: string): Promise<PrismaStore> {
  const target = parseDatabaseUrl(databaseUrl);
  const db = createPrismaClient(databaseUrl);
  await db.$connect();
  const run = target.provider === 'sqlite' ? sqliteQueue(target.path) : unqueued;
  const lockDataset = datasetRowLock(target);
  // Checkpoints and models carry megabytes of weights: written through the driver itself.
  const driver = driverConnection(target);
  return {
    ...prismaSearchStore(db, run, lockDataset),
    ...prismaEpochStore(db, run, checkpointRows(driver)),
    ...prismaModelStore(db, run, saveModelRow(driver)),
    apiKeys: () => new PrismaApiKeyStore(db, run),
    datasets: () => new PrismaDatasetStore(db, run, lockDataset),
    close: () => run(async () => {
      await driver.close();
      await db.$disconnect();
    }),
  };
}
