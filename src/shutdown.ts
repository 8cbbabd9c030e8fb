// Signal handling for every entry point (API, trial worker, scheduler, start-all), kept apart from
// the HTTP server so that processes without one do not load Fastify.
import type { Logger } from './logger.js';

/** Stops cleanly on SIGTERM/SIGINT; a second signal exits at once. */
export function onShutdown(log: Logger, close: () => Promise<void>): void {
  let closing = false;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      if (closing) process.exit(1);
      closing = true;
      log.info({ signal: sig }, 'shutting down');
      close().then(() => process.exit(0), (err) => { log.error({ err }, 'shutdown failed'); process.exit(1); });
    });
  }
}
