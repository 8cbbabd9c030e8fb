// Prisma CLI config for the SQLite client, built from the schema source. Only `generate` is used
// (scripts/prisma-generate.mjs): migrations are plain SQL applied by src/store/migrate.ts, because
// `prisma migrate` needs a native schema engine that cannot be installed everywhere we deploy.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations/sqlite' },
});
