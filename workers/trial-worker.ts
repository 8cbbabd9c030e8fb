// The trial worker: takes trial jobs from BullMQ, runs each in a child process, and asks the
// scheduler for the next trials when one ends. Run alone with `npm run worker`.
//
// Faults: a worker killed mid-trial stops renewing its job's lock, so after lockDuration any
// worker's stalled check re-queues the job and the retry resumes from the trial's checkpoint.
// On SIGTERM the worker takes no new jobs and asks each child to stop at its next epoch boundary;
// a child that stopped hands its trial back (job re-queued without counting an attempt); one
// still running after SHUTDOWN_GRACE_MS is killed and its trial retried as after a crash.
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { WaitingError, Worker, type Job } from 'bullmq';
import { childEnv, loadConfig, type Config } from '../src/config.js';
import { createLogger, type Logger } from '../src/logger.js';
import type { TrialJob } from '../src/ports/trial-queue.js';
import { redisConnection, TRIAL_QUEUE } from '../src/queue/trial-queue.js';
import { reconcile } from '../src/services/reconcile.js';
import { failTrial } from '../src/services/trial-transitions.js';
import { onShutdown } from '../src/shutdown.js';
import { failedForGood } from '../src/domain/trial-attempts.js';
import { isFinalTrialStatus } from '../src/domain/trial-state.js';
import { createCore, type Core } from '../src/wiring.js';
import { childScripts } from './child-bundle.js';
import { runProbeChild, TrialProcesses } from './run-child.js';
import { HANDED_BACK_EXIT_CODE, STOP_MESSAGE } from './trial-protocol.js';

// Stalls (a worker lost mid-trial) are counted in trial.attempts, checked below against the
// search's budget; BullMQ's own stall limit must not fail the job first.
const MAX_STALLED_COUNT = 1000;

/** `shared`: a core the caller owns (start-all.ts); otherwise the worker opens its own. */
export async function startTrialWorker(config: Config, log: Logger, shared?: Core) {
  // Built at every start, so children never run code older than the worker's.
  const scripts = await childScripts({ bundle: config.trialChildBundle, log });
  // Decided once: every trial of this worker trains on the same backend, so their times compare.
  const probe = await runProbeChild(childEnv(config), scripts.probe);
  log.info({ backend: probe.chosen, probe: probe.entries }, `trials will train on ${probe.chosen.name} (${probe.chosen.detail})`);
  const trialEnv = childEnv({ ...config, trainingBackend: probe.chosen.name });
  const core = shared ?? await createCore(config, log);
  const processes = new TrialProcesses(trialEnv, config.trialSpareProcess, scripts.trial);
  processes.warm(); // starts beside the rest of the worker's start
  const children = new Set<ChildProcess>();
  let stopping = false;

  /** Gives the job back to the queue without counting an attempt (BullMQ: moveToWait + WaitingError). */
  const handBack = async (job: Job<TrialJob>, token: string | undefined): Promise<never> => {
    await job.moveToWait(token);
    throw new WaitingError();
  };

  const runJob = async (job: Job<TrialJob>, token?: string) => {
    const { trialId, searchId } = job.data;
    const trial = await core.store.getTrial(trialId);
    if (!trial) return 'gone';
    const attempts = job.opts.attempts ?? 1;
    if (stopping) return handBack(job, token); // fetched while the worker was closing
    if (trial.status === 'running' && failedForGood({ made: trial.attempts, allowed: attempts })) {
      // Every run so far started and died with its worker (no exit was ever recorded).
      await failTrial(core.store, trialId, `trial process was lost (worker killed or stalled) in each of its ${attempts} attempt(s)`);
    } else if (!isFinalTrialStatus(trial.status)) {
      const exit = await processes.run(trialId, (child) => {
        children.add(child);
        child.once('exit', () => children.delete(child));
      });
      if (exit.code === HANDED_BACK_EXIT_CODE) return handBack(job, token);
      if (exit.code !== 0) {
        const reason = `trial process exited with ${exit.signal ?? `code ${exit.code}`}`;
        const runs = (await core.store.getTrial(trialId))?.attempts ?? attempts;
        if (!failedForGood({ made: runs, allowed: attempts })) throw new Error(reason); // BullMQ retries with backoff, on any worker
        await failTrial(core.store, trialId, `${reason}; gave up after ${runs} attempt(s)`);
      }
    }
    const ranAt = Date.now();
    await core.scheduler.advance(searchId);
    log.debug({ trialId, ranAt, advancedAt: Date.now() }, 'trial job timings'); // bench:trial splits the overhead with these
    return 'done';
  };

  const { lockDurationMs, stalledIntervalMs, shutdownGraceMs, trialStaleMs } = config.faults;
  const worker = new Worker<TrialJob>(TRIAL_QUEUE, runJob, {
    connection: redisConnection(config.redisUrl),
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
    lockDuration: lockDurationMs,
    stalledInterval: stalledIntervalMs,
    maxStalledCount: MAX_STALLED_COUNT,
  });
  // A job can also fail outside runJob (BullMQ gave up on it): the trial must not stay 'running'
  // forever, so its last failure ends it.
  worker.on('failed', (job, err) => {
    log.warn({ searchId: job?.data.searchId, trialId: job?.id, err: err.message }, 'trial job failed');
    if (!job || !failedForGood({ made: job.attemptsMade, allowed: job.opts.attempts ?? 1 })) return;
    failTrial(core.store, job.data.trialId, `trial job failed: ${err.message}`)
      .then(() => core.scheduler.advance(job.data.searchId))
      .catch((e) => log.error({ err: e, searchId: job.data.searchId, trialId: job.id }, 'could not record the failed trial'));
  });
  worker.on('error', (err) => log.error({ err }, 'worker error'));
  await worker.waitUntilReady();
  const reconcileOptions = { trialStaleMs };
  await reconcile(core.store, core.queue, core.scheduler, log, reconcileOptions);
  // Catches up on trials recorded while Redis was unreachable, a Redis that lost its data, and
  // running trials whose heartbeat stopped with no worker holding their job.
  const sweep = setInterval(() => {
    reconcile(core.store, core.queue, core.scheduler, log, reconcileOptions).catch((err) => log.warn({ err: err.message }, 'reconcile failed'));
  }, config.reconcileIntervalMs);
  const stopAnnouncing = await core.workers.keepAnnounced({
    id: `${os.hostname()}:${process.pid}`, backend: probe.chosen.name, threads: probe.chosen.threads, detail: probe.chosen.detail,
    concurrency: config.workerConcurrency, startedAt: new Date().toISOString(), probe: probe.entries,
  }, (err) => log.warn({ err: err.message }, 'could not announce the worker'));
  log.info({ queue: TRIAL_QUEUE, concurrency: config.workerConcurrency }, 'trial worker ready');
  return {
    worker,
    backend: probe.chosen,
    /** The spare trial process's pid while one waits (tests). */
    get sparePid() { return processes.sparePid; },
    async close() {
      stopping = true;
      clearInterval(sweep);
      processes.close();
      const closed = worker.close(); // no new jobs; resolves once the running ones have returned
      for (const child of children) if (child.connected) child.send(STOP_MESSAGE);
      if (children.size) log.info({ trials: children.size, graceMs: shutdownGraceMs }, 'asked running trials to stop at their next epoch boundary');
      const grace = setTimeout(() => {
        for (const child of children) {
          log.warn({ pid: child.pid }, 'trial did not stop within SHUTDOWN_GRACE_MS; killing it (it will be retried)');
          child.kill('SIGKILL');
        }
      }, shutdownGraceMs);
      try {
        await closed;
      } finally {
        clearTimeout(grace);
      }
      await stopAnnouncing();
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
