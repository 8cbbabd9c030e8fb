// What a command is: its place in the command tree, its usage, and a run function that gets the
// API client and its arguments and returns the exit code.
import type { ApiClient } from '../api-client.js';
import type { OptionName, ParsedArgs } from '../options.js';

export interface Output {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface Context {
  api: ApiClient;
  /** Positional arguments after the command's name. */
  args: string[];
  values: ParsedArgs['values'];
  out: Output & NodeJS.WritableStream;
  err: Output;
}

export interface Command {
  /** e.g. ['search', 'create'] */
  path: string[];
  /** Positional arguments as shown in usage, e.g. ['<spec.json>']; a trailing '?' marks one optional. */
  args: string[];
  summary: string;
  /** More lines for `--help`. */
  details?: string;
  options: OptionName[];
  run(ctx: Context): Promise<number>;
}

export const printJson = (out: Output, v: unknown) => out.write(`${JSON.stringify(v, null, 2)}\n`);
