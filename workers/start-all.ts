// `npm start`: the API and one trial worker in one process, for a single machine. They share one
// store, queue and scheduler, so the process opens the database once and reconciles once.
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startApi } from '../src/server.js';
import { onShutdown } from '../src/shutdown.js';
import { createCore } from '../src/wiring.js';
import { startTrialWorker } from './trial-worker.js';

const config = loadConfig();
const log = createLogger(config.logLevel, 'hypertune');
const core = await createCore(config, log);
const worker = await startTrialWorker(config, log.child({ role: 'worker' }), core);
const api = await startApi(config, log.child({ role: 'api' }), core);
log.info(`hypertune listening on http://${config.host}:${config.port}`);
onShutdown(log, async () => {
  await api.close();
  await worker.close();
  await core.close();
});
