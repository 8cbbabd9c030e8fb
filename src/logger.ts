// One pino root logger per process; a trial's lines carry searchId and trialId via child loggers.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Secrets are censored wherever a log line might carry them: the Authorization header (request
 * and response logging, or an error that kept its request), API keys, the admin key.
 */
export const REDACT_PATHS = [
  'req.headers.authorization', 'request.headers.authorization', 'headers.authorization', '*.headers.authorization',
  'authorization', '*.authorization', 'key', '*.key', 'apiKey', '*.apiKey', 'adminApiKey', '*.adminApiKey', '*.password',
];

/** `destination`: where lines go (stdout by default; tests pass a stream to read them). */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  const options = { level, name, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
