// `npm run scheduler`: the search planner as a process of its own (the compose file's `scheduler`).
// API and workers plan on every search creation and trial end; this process also plans on a clock,
// so time budgets (budget.maxDurationSeconds) end searches on time, and it reconciles the queue with
// the database. Planning is idempotent and version-checked: any number of these may run.
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { advanceUnfinished, reconcile } from '../src/services/reconcile.js';
import { onShutdown } from '../src/shutdown.js';
import { createCore } from '../src/wiring.js';

const config = loadConfig();
const log = createLogger(config.logLevel, 'scheduler');
const core = await createCore(config, log);
const reconcileOptions = { trialStaleMs: config.faults.trialStaleMs };

let busy = false;
let lastReconcile = 0;
async function tick(): Promise<void> {
  if (busy) return; // a slow database: skip a beat rather than pile up
  busy = true;
  try {
    if (Date.now() - lastReconcile >= config.reconcileIntervalMs) {
      lastReconcile = Date.now();
      await reconcile(core.store, core.queue, core.scheduler, log, reconcileOptions);
    } else {
      await advanceUnfinished(core.store, core.scheduler);
    }
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'scheduling pass failed; retrying at the next tick');
  } finally {
    busy = false;
  }
}

await tick();
const timer = setInterval(() => void tick(), config.schedulerIntervalMs);
log.info({ intervalMs: config.schedulerIntervalMs }, 'scheduler running');
onShutdown(log, async () => {
  clearInterval(timer);
  await core.close();
});
