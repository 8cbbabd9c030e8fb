// The API-key port (src/ports/api-key-store.ts) on Prisma. It shares PrismaStore's connection
// and, on SQLite, its operation queue (see prisma-store.ts).
import type { ApiKey } from '../generated/sqlite/client.js';
import type { ApiKeyRecord, ApiKeyStore } from '../ports/api-key-store.js';
import type { DbClient } from './prisma-client.js';
import type { Runner } from './sqlite-queue.js';

const WITHOUT_HASH = { keyHash: true } as const;

export class PrismaApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: DbClient, private readonly run: Runner) {}

  createApiKey(input: { id: string; tenant: string; name: string; keyHash: string; prefix: string }): Promise<ApiKeyRecord> {
    return this.run(async () => toApiKey(await this.db.apiKey.create({ data: input, omit: WITHOUT_HASH })));
  }

  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    return this.run(async () => {
      const row = await this.db.apiKey.findUnique({ where: { keyHash }, omit: WITHOUT_HASH });
      return row && toApiKey(row);
    });
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.run(async () => (await this.db.apiKey.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], omit: WITHOUT_HASH })).map(toApiKey));
  }

  revokeApiKey(id: string, at: Date): Promise<ApiKeyRecord | null> {
    return this.run(async () => {
      await this.db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
      const row = await this.db.apiKey.findUnique({ where: { id }, omit: WITHOUT_HASH });
      return row && toApiKey(row);
    });
  }
}

function toApiKey(row: Omit<ApiKey, 'keyHash'>): ApiKeyRecord {
  const { id, tenant, name, prefix, createdAt, revokedAt } = row;
  return { id, tenant, name, prefix, createdAt, revokedAt };
}
