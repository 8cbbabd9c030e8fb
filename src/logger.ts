// One pino root logger per process; a trial's lines carry searchId and trialId via child loggers.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, redact: ['req.headers.authorization', '*.password', '*.apiKey'] });
}
