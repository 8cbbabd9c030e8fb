import { defineConfig } from 'vitest/config';

// Unit tests need nothing but the code: no Redis, database, training, child process or browser.
// Whole folders where every test is such, and single files of mixed folders. Every other test is
// an integration test, so a new test is one until it is listed here (`npm run test:unit` stays fast).
const UNIT = [
  'test/domain/**/*.test.ts',
  'test/oracles/**/*.test.ts',
  // Upload parsers, on files in memory or in a temp dir; not the runner, which forks its decoding child.
  'test/datasets/!(upload-runner).test.ts',
  'test/config.test.ts',
  'test/plugins/json-scan.test.ts', // the JSON pre-scan alone, on bytes in memory
  'test/bench/!(search-replay).test.ts', // the benchmarks' pure analysis (the replay uses SQLite)
  'test/services/search-events.test.ts',
  'test/services/page-cursor.test.ts',
  'test/training/dataset.test.ts', // IDX parsing of the Fashion-MNIST files
  'test/cli/{event-stream,image-input,sse,trial-table,watch-views}.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // `npm test` runs both; `npm run test:unit` / `test:integration` one (--project).
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: UNIT,
          // After the unit tests, one file at a time: two cores, and integration files train
          // models, so they must not compete for the CPU.
          sequence: { groupOrder: 1 },
          fileParallelism: false,
        },
      },
    ],
  },
});
