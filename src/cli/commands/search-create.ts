import { readFile } from 'node:fs/promises';
import { CliError } from '../api-client.js';
import type { SearchView } from '../../schemas/search-schemas.js';
import { printable } from '../format.js';
import { printJson, type Command } from './command.js';

export const searchCreate: Command = {
  path: ['search', 'create'],
  args: ['<spec.json>'],
  summary: 'create a search from a JSON spec (POST /searches) and print its id',
  details: 'The spec is the body of POST /searches (see examples/tiny-search.json); "-" reads it from stdin.\n'
    + 'With --watch, shows a progress bar per running trial and the trial table as it fills, until the search ends.',
  options: ['watch', 'plain', 'json'],
  async run({ api, args: [file], values, out }) {
    const spec = await readSpec(file);
    const search = await api.json<SearchView>('POST', '/searches', spec);
    if (!values.watch) {
      if (values.json) printJson(out, search);
      else out.write(`${search.id}\n`);
      return 0;
    }
    out.write(`search ${search.id} (${printable(search.name)}) created; following it (Ctrl-C stops watching, not the search)\n`);
    const { watchSearch } = await import('../watch.js'); // cli-progress and the views: only for --watch
    return watchSearch(api, search.id, { out, bars: !values.plain && out.isTTY === true });
  },
};

async function readSpec(file: string): Promise<unknown> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
