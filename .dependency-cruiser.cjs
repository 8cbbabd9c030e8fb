// The import rules of README's "How it works", checked in CI (`npm run check:architecture`):
// entry points → routes / workers → services → domain and ports; adapters (store, queue, training,
// datasets) implement ports and meet the services only in the composition root (src/wiring.ts).
const FRAMEWORKS = '^(fastify|@fastify|bullmq|ioredis|@prisma|@tensorflow|pg|better-sqlite3|sharp|jszip|typebox|protobufjs|onnxruntime-node)';
const ADAPTERS = '^src/(store|queue|training)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'no module reaches itself through its imports',
      from: {}, to: { circular: true } },
    { name: 'http-entry-only', severity: 'error',
      comment: 'only the HTTP entry points (and tests that build the app) load the HTTP stack',
      from: { pathNot: '^(src/server\\.ts|workers/start-all\\.ts|test/|bench/)' }, to: { path: '^src/(server|app)\\.ts$' } },
    { name: 'pure-domain', severity: 'error',
      comment: 'the domain and the search algorithms import nothing but each other',
      from: { path: '^src/(domain|oracles)/' }, to: { pathNot: '^src/(domain|oracles)/' , dependencyTypesNot: ['core'] } },
    { name: 'ports-are-types', severity: 'error', comment: 'ports speak the domain only',
      from: { path: '^src/ports/' }, to: { pathNot: '^src/(domain|ports)/' } },
    { name: 'services-use-ports', severity: 'error',
      comment: 'services see adapters through ports, never frameworks or the HTTP layer',
      from: { path: '^src/services/' },
      to: { path: [ADAPTERS, '^src/(routes|plugins|app|server|wiring)', '^workers/', FRAMEWORKS].join('|') } },
    { name: 'views-from-schemas', severity: 'error',
      comment: 'services build the response types the schemas define, and take nothing else from them',
      from: { path: '^src/services/' }, to: { path: '^src/schemas/', dependencyTypesNot: ['type-only'] } },
    { name: 'schemas-are-contracts', severity: 'error', comment: 'schemas describe the API; they call nothing',
      from: { path: '^src/schemas/' }, to: { path: '^src/(services|routes|plugins|store|queue|training|datasets|app|server|wiring)' } },
    { name: 'adapters-below-services', severity: 'error',
      comment: 'adapters are used by services through ports; they never call up',
      from: { path: '^src/(store|queue|training|datasets)/' },
      to: { path: '^src/(services|routes|schemas|plugins|app|server|wiring|cli)|^workers/' } },
    { name: 'datasets-feed-training', severity: 'error', comment: 'datasets produce images, training consumes them',
      from: { path: '^src/datasets/' }, to: { path: '^src/training/' } },
    { name: 'routes-are-thin', severity: 'error', comment: 'routes call services, not adapters',
      from: { path: '^src/routes/' }, to: { path: [ADAPTERS, '^workers/'].join('|') } },
    { name: 'src-stands-alone', severity: 'error', comment: 'the product never imports its tests or benchmarks',
      from: { path: '^(src|workers)/' }, to: { path: '^(test|bench)/' } },
  ],
  options: {
    tsPreCompilationDeps: true,
    exclude: { path: '^src/generated/' },
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
