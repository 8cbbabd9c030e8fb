// The CLI's entry: finds the command in argv, checks its arguments and options, runs it, and turns
// every failure into a message on stderr and an exit code (1: the API or the search said no;
// 2: bad usage). bin/hypertune.mjs calls main() and exits with what it returns.
import { ApiClient, ApiError, CliError } from './api-client.js';
import { COMMANDS } from './commands/index.js';
import { printable } from './format.js';
import type { Command, Output } from './commands/command.js';
import { parseCommandLine, unexpectedOptions } from './options.js';
import { commandHelp, overview } from './usage.js';

export interface Io {
  out: Output & NodeJS.WritableStream;
  err: Output;
  env: Record<string, string | undefined>;
}

export const DEFAULT_URL = 'http://127.0.0.1:3000';

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (err) {
    if (err instanceof ApiError) {
      io.err.write(`error: ${printable(err.message)} (HTTP ${err.status} ${printable(err.code)})\n`);
      if (err.status === 401) io.err.write('hint: give an API key with --key KEY or HYPERTUNE_API_KEY\n');
    }
    else if (err instanceof CliError) io.err.write(`error: ${err.message}\n`);
    else io.err.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}

async function run(argv: string[], io: Io): Promise<number> {
  const { positionals, values } = parseCommandLine(argv);
  const { command, rest, prefix } = findCommand(positionals);
  if (!command) {
    if (values.help || positionals.length === 0 || (prefix.length > 0 && rest.length === 0)) {
      (values.help ? io.out : io.err).write(overview(COMMANDS, prefix));
      return values.help ? 0 : 2;
    }
    throw new CliError(`unknown command '${positionals.slice(0, prefix.length + 1).join(' ')}' (see hypertune --help)`, 2);
  }
  if (values.help) { io.out.write(commandHelp(command)); return 0; }
  const extra = unexpectedOptions(values, command.options);
  if (extra.length) throw new CliError(`'hypertune ${command.path.join(' ')}' takes no ${extra.map((o) => `--${o}`).join(', ')} (see --help)`, 2);
  const required = command.args.filter((a) => !a.endsWith('?')).length;
  // A last argument ending in '...' takes one or more.
  const variadic = command.args.at(-1)?.endsWith('...') ?? false;
  if (rest.length < required || (!variadic && rest.length > command.args.length))
    throw new CliError(`usage: hypertune ${[...command.path, ...command.args].join(' ')}`, 2);
  const api = new ApiClient({ url: values.url ?? io.env.HYPERTUNE_URL ?? DEFAULT_URL, key: values.key ?? io.env.HYPERTUNE_API_KEY });
  return command.run({ api, args: rest, values, out: io.out, err: io.err });
}

/** The longest command path matching the positionals; `prefix` is a group name given alone ('search'). */
function findCommand(positionals: string[]): { command?: Command; rest: string[]; prefix: string[] } {
  const command = COMMANDS.find((c) => c.path.every((p, i) => positionals[i] === p));
  if (command) return { command, rest: positionals.slice(command.path.length), prefix: command.path };
  const group = COMMANDS.some((c) => c.path.length > 1 && c.path[0] === positionals[0]) ? [positionals[0]] : [];
  return { rest: positionals.slice(group.length), prefix: group };
}
