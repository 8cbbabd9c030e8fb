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
  'test/bench/!(search-replay|machine-preemption).test.ts', // the benchmarks' pure analysis (the replay uses SQLite; the probe spins threads)
  'test/services/search-events.test.ts',
  'test/services/page-cursor.test.ts',
  'test/training/dataset.test.ts', // IDX parsing of the Fashion-MNIST files
  'test/cli/{event-stream,image-input,sse,trial-table,watch-views}.test.ts',
];

// Integration files that time something (a latency or memory bound, a stall or idle window, a
// grace period, short staleness settings): they run alone, after the others, so that another
// file's training cannot stretch what they measure.
const TIMED = [
  'test/bench/machine-preemption.test.ts', // its spinning threads would take cores from the others
  'test/dashboard/**/*.test.ts',
  'test/datasets/upload-runner.test.ts',
  'test/faults/**/*.test.ts',
  'test/routes/{dashboard,dataset-processing,dataset-upload-stall-large,dataset-upload-stall,error-surface,fuzz,health-redaction,json-depth,metrics,rate-limits-redis-down,retrain,search-events-load,search-events,search-list-size,search-memory,search-validation-cost,trial-cancel-recovery}.test.ts',
  'test/services/{prediction-batcher,scheduler,upload-sweep}.test.ts',
  'test/store/{prisma-epoch-store,prisma-search-store}.test.ts',
  'test/training/{gradient-matrix,inference-pool,kernels,prediction-latency}.test.ts',
  'test/training/onnx/onnx-export.test.ts',
  'test/workers/run-child-finished.test.ts',
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
          exclude: [...UNIT, ...TIMED],
          // After the unit tests, two files at a time: each file uses about one core (its CPU time
          // is ~1x its wall time, training, child processes and browsers included), and every file
          // has its own database schema, queue prefix, ports and temp dirs.
          sequence: { groupOrder: 1 },
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: { name: 'integration-timed', include: TIMED, sequence: { groupOrder: 2 }, fileParallelism: false },
      },
    ],
  },
});
