// The API-key port (src/ports/api-key-store.ts) on Prisma. It shares PrismaStore's connection
// and, on SQLite, its operation queue (see prisma-store.ts).
import type { ApiKey } from '../generated/sqlite/client.js';
import type { ApiKeyRecord, ApiKeyStore } from '../ports/api-key-store.js';
import type { Page, PageRequest, TimeKey } from '../ports/page.js';
import { afterTime, byTime, takeFor, timeKey, toPage } from './keyset.js';
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

  listApiKeys(page: PageRequest<TimeKey>): Promise<Page<ApiKeyRecord, TimeKey>> {
    const query = { where: afterTime(page.after, 'asc'), orderBy: byTime('asc'), take: takeFor(page), omit: WITHOUT_HASH };
    return this.run(async () => toPage((await this.db.apiKey.findMany(query)).map(toApiKey), page.limit, timeKey));
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
