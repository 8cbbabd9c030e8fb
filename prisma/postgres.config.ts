// Prisma CLI config for the PostgreSQL client. Its schema is derived from prisma/schema.prisma by
// scripts/prisma-generate.mjs (paths here are relative to this file). Only `generate` is used:
// migrations are plain SQL (prisma/migrations/postgresql) applied by src/store/migrate.ts.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: '../src/generated/schema.postgres.prisma',
  migrations: { path: 'migrations/postgresql' },
});
