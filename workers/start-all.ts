// `npm start`: the API and one trial worker in one process, for a single machine.
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { onShutdown, startApi } from '../src/server.js';
import { startTrialWorker } from './trial-worker.js';

const config = loadConfig();
const log = createLogger(config.logLevel, 'hypertune');
const worker = await startTrialWorker(config, log.child({ role: 'worker' }));
const api = await startApi(config, log.child({ role: 'api' }));
log.info(`hypertune listening on http://${config.host}:${config.port}`);
onShutdown(log, async () => {
  await api.close();
  await worker.close();
});
