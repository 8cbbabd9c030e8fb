// The trial worker: takes trial jobs from BullMQ, runs each in a child process, and asks the
// scheduler for the next trials when one ends. Run alone with `npm run worker`.
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker, type Job } from 'bullmq';
import { childEnv, loadConfig, type Config } from '../src/config.js';
import { createLogger, type Logger } from '../src/logger.js';
import { redisConnection, TRIAL_QUEUE, type TrialJob } from '../src/queue/trial-queue.js';
import { reconcile } from '../src/services/reconcile.js';
import { failTrial } from '../src/services/trial-transitions.js';
import { isFinalTrialStatus } from '../src/domain/trial-state.js';
import { createCore, type Core } from '../src/wiring.js';
import { onShutdown } from '../src/server.js';
import { runProbeChild, runTrialChild } from './run-child.js';

/** `shared`: a core the caller owns (start-all.ts); otherwise the worker opens its own. */
export async function startTrialWorker(config: Config, log: Logger, shared?: Core) {
  // Decided once: every trial of this worker trains on the same backend, so their times compare.
  const probe = await runProbeChild(childEnv(config));
  log.info({ backend: probe.chosen, probe: probe.entries }, `trials will train on ${probe.chosen.name} (${probe.chosen.detail})`);
  const trialEnv = childEnv({ ...config, trainingBackend: probe.chosen.name });
  const core = shared ?? await createCore(config, log);

  const runJob = async (job: Job<TrialJob>) => {
    const { trialId, searchId } = job.data;
    const trial = await core.store.getTrial(trialId);
    if (!trial) return 'gone';
    if (!isFinalTrialStatus(trial.status)) {
      const exit = await runTrialChild(trialId, trialEnv);
      if (exit.code !== 0) {
        const reason = `trial process exited with ${exit.signal ?? `code ${exit.code}`}`;
        const attempts = job.opts.attempts ?? 1;
        if (job.attemptsMade + 1 < attempts) throw new Error(reason); // BullMQ retries with backoff
        await failTrial(core.store, trialId, `${reason} after ${attempts} attempt(s)`);
      }
    }
    await core.scheduler.advance(searchId);
    return 'done';
  };

  const worker = new Worker<TrialJob>(TRIAL_QUEUE, runJob, {
    connection: redisConnection(config.redisUrl),
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
  });
  // A job can also fail outside runJob (stalled too often after worker crashes): the trial must
  // not stay 'running' forever, so its last failure ends it.
  worker.on('failed', (job, err) => {
    log.warn({ searchId: job?.data.searchId, trialId: job?.id, err: err.message }, 'trial job failed');
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    failTrial(core.store, job.data.trialId, `trial job failed: ${err.message}`)
      .then(() => core.scheduler.advance(job.data.searchId))
      .catch((e) => log.error({ err: e, searchId: job.data.searchId, trialId: job.id }, 'could not record the failed trial'));
  });
  worker.on('error', (err) => log.error({ err }, 'worker error'));
  await worker.waitUntilReady();
  await reconcile(core.store, core.queue, core.scheduler, log);
  // Catches up on trials recorded while Redis was unreachable, and on a Redis that lost its data.
  const sweep = setInterval(() => {
    reconcile(core.store, core.queue, core.scheduler, log, false).catch((err) => log.warn({ err: err.message }, 'reconcile failed'));
  }, config.reconcileIntervalMs);
  const stopAnnouncing = await core.workers.keepAnnounced({
    id: `${os.hostname()}:${process.pid}`, backend: probe.chosen.name, threads: probe.chosen.threads, detail: probe.chosen.detail,
    concurrency: config.workerConcurrency, startedAt: new Date().toISOString(), probe: probe.entries,
  }, (err) => log.warn({ err: err.message }, 'could not announce the worker'));
  log.info({ queue: TRIAL_QUEUE, concurrency: config.workerConcurrency }, 'trial worker ready');
  return {
    worker,
    backend: probe.chosen,
    async close() {
      clearInterval(sweep);
      await stopAnnouncing();
      await worker.close();
      if (!shared) await core.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfig();
  const log = createLogger(config.logLevel, 'worker');
  const w = await startTrialWorker(config, log);
  onShutdown(log, w.close);
}
