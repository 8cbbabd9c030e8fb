// Every option the CLI knows, parsed once with node:util parseArgs; each command says which of
// them it accepts (the global ones always), so a misplaced option is an error, not ignored.
import { parseArgs } from 'node:util';
import { CliError } from './api-client.js';

export const OPTIONS = {
  url: { type: 'string', value: 'URL', description: 'the API (default: $HYPERTUNE_URL or http://127.0.0.1:3000)' },
  key: { type: 'string', value: 'KEY', description: 'API key, sent as "Authorization: Bearer KEY" (default: $HYPERTUNE_API_KEY)' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
  json: { type: 'boolean', description: 'print the raw JSON the API answered' },
  watch: { type: 'boolean', short: 'w', description: 'follow the search live until it finishes (exit code 0 completed, 1 failed or cancelled)' },
  plain: { type: 'boolean', description: 'one line per event, no progress bars (the default when stdout is not a terminal)' },
  limit: { type: 'string', value: 'N', description: 'show at most N (default: all, read page by page)' },
  top: { type: 'string', value: 'N', description: 'how many classes to show (default 3)' },
  invert: { type: 'boolean', description: 'invert the image first (dark-on-light photos for a light-on-dark dataset such as Fashion-MNIST)' },
  force: { type: 'boolean', description: 'overwrite model files already in the directory' },
  objective: { type: 'string', value: 'METRIC', description: "the metric to explain: val_accuracy, val_loss, accuracy or loss (default: the search's objective)" },
  format: { type: 'string', value: 'FORMAT', description: 'the model file to export: tfjs (default: model.json and weights.bin) or onnx (model.onnx)' },
} as const satisfies Record<string, { type: 'string' | 'boolean'; short?: string; value?: string; description: string }>;

export type OptionName = keyof typeof OPTIONS;
export const GLOBAL_OPTIONS: OptionName[] = ['url', 'key', 'help'];

export interface ParsedArgs {
  positionals: string[];
  values: { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean };
}

export function parseCommandLine(argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    // parseArgs' messages name the option ("Unknown option '--foo'"); usage errors exit 2.
    throw new CliError(`${(err as Error).message.split('. ')[0]}`, 2);
  }
}

/** Options given that the command does not take. */
export function unexpectedOptions(values: ParsedArgs['values'], accepted: OptionName[]): string[] {
  return (Object.keys(values) as OptionName[]).filter((k) => values[k] !== undefined && !GLOBAL_OPTIONS.includes(k) && !accepted.includes(k));
}

/** `--limit N`: at most N items of a list; undefined: all of them. */
export function limitOption(values: ParsedArgs['values']): number | undefined {
  if (values.limit === undefined) return undefined;
  const n = Number(values.limit);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--limit must be a positive integer, got '${values.limit}'`, 2);
  return n;
}
