// One entry point for both generated clients (scripts/prisma-generate.mjs): the URL scheme picks
// the client and its driver adapter, because a client generated for one provider refuses the
// other provider's adapter.
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as PostgresPrismaClient } from '../generated/postgres/client.js';
import { PrismaClient as SqlitePrismaClient, type Prisma } from '../generated/sqlite/client.js';
import { parseDatabaseUrl, SQLITE_BUSY_TIMEOUT_MS } from './migrate.js';

/**
 * Both clients come from one schema and have the same model API; the PostgreSQL client's input
 * types are a superset of these (extra filters such as `mode`), so the SQLite client's type
 * describes every call prisma-store makes on either.
 */
export type DbClient = SqlitePrismaClient;
export type { Prisma } from '../generated/sqlite/client.js';

/** Our JSON columns hold plain objects; Prisma's input type cannot see that through interfaces. */
export const json = (value: unknown) => value as Prisma.InputJsonValue;

export function createPrismaClient(databaseUrl: string): DbClient {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.provider === 'sqlite') {
    // The busy timeout makes a writer wait for another process's lock instead of failing at
    // once; WAL, which lets readers run beside that writer, is set on the file by migrate().
    const adapter = new PrismaBetterSqlite3({ url: target.path, timeout: SQLITE_BUSY_TIMEOUT_MS });
    return new SqlitePrismaClient({ adapter });
  }
  const adapter = new PrismaPg({ connectionString: target.connectionString }, { schema: target.schema });
  return new PostgresPrismaClient({ adapter }) as unknown as DbClient;
}
