import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CliError } from '../api-client.js';
import type { Command } from './command.js';

export const modelsExport: Command = {
  path: ['models', 'export'],
  args: ['<modelId>', '<dir>'],
  summary: 'download a model (GET /models/:id/artifact) and unzip it into a directory: model.json + weights',
  details: "tf.loadLayersModel('file://<dir>/model.json') (tfjs-node) loads it; tensorflowjs_converter turns it into Keras.",
  options: ['force'],
  async run({ api, args: [id, dir], values, out }) {
    const zipped = await api.bytes(`/models/${encodeURIComponent(id)}/artifact`);
    const { default: JSZip } = await import('jszip'); // loaded by this command only: every command starts faster
    const zip = await JSZip.loadAsync(zipped).catch((err: Error) => { throw new CliError(`the artifact is not a zip: ${err.message}`); });
    const files = Object.values(zip.files).filter((f) => !f.dir);
    const root = path.resolve(dir);
    const targets = files.map((f) => {
      const target = path.resolve(root, f.name);
      // An entry like ../x would write outside the directory (zip slip).
      if (!target.startsWith(root + path.sep)) throw new CliError(`the artifact holds a path outside the directory: ${f.name}`);
      return { f, target };
    });
    if (!values.force) {
      for (const { target } of targets) {
        if (await access(target).then(() => true, () => false)) throw new CliError(`${target} exists (--force overwrites it)`);
      }
    }
    for (const { f, target } of targets) {
      const data = await f.async('nodebuffer');
      try {
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, data);
      } catch (err) {
        // ENOTDIR, EACCES, ENOSPC: the user's to fix, so a message rather than a stack.
        const e = err as NodeJS.ErrnoException;
        throw new CliError(`cannot write ${target}: ${e.code ?? e.message}`);
      }
      out.write(`${path.join(dir, f.name)}  ${data.length} bytes\n`);
    }
    return 0;
  },
};
