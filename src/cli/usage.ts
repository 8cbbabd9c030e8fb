// --help texts, generated from the command table and the option definitions.
import type { Command } from './commands/command.js';
import { GLOBAL_OPTIONS, OPTIONS, type OptionName } from './options.js';

const optionLines = (names: OptionName[]) => names.map((n) => {
  const o = OPTIONS[n] as { short?: string; value?: string; description: string };
  const flag = `${o.short ? `-${o.short}, ` : '    '}--${n}${o.value ? ` ${o.value}` : ''}`;
  return `  ${flag.padEnd(20)} ${o.description}`;
});

const usageLine = (c: Command) => `hypertune ${[...c.path, ...c.args].join(' ')}`;

/** The overview: every command under `prefix` (all of them for the top level). */
export function overview(commands: Command[], prefix: string[] = []): string {
  const shown = commands.filter((c) => prefix.every((p, i) => c.path[i] === p));
  const width = Math.max(...shown.map((c) => usageLine(c).length));
  return [
    `Usage: hypertune ${prefix.length ? `${prefix.join(' ')} ` : ''}<command> [options]`,
    '',
    'Talks to a hypertune API (hyperparameter searches trained on its workers).',
    '',
    'Commands:',
    ...shown.map((c) => `  ${usageLine(c).padEnd(width)}  ${c.summary}`),
    '',
    'Options for every command:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    `Run 'hypertune ${prefix.length ? prefix.join(' ') : '<command>'} ${prefix.length ? '<command> ' : ''}--help' for a command's options.`,
    'Exit codes: 0 success, 1 an error from the API (its message is printed) or a failed search, 2 bad usage.',
    '',
  ].join('\n');
}

export function commandHelp(c: Command): string {
  return [
    `Usage: ${usageLine(c)} [options]`,
    '',
    `${c.summary[0].toUpperCase()}${c.summary.slice(1)}.`,
    ...(c.details ? ['', c.details] : []),
    '',
    'Options:',
    ...optionLines([...c.options, ...GLOBAL_OPTIONS]),
    '',
  ].join('\n');
}
