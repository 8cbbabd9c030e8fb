import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CliError } from '../api-client.js';
import type { Command } from './command.js';

const FORMATS = ['tfjs', 'onnx'];

/** The zip's files (model.json and weights). */
async function unzip(zipped: Buffer): Promise<{ name: string; data: Buffer }[]> {
  const { default: JSZip } = await import('jszip'); // loaded by this command only: every command starts faster
  const zip = await JSZip.loadAsync(zipped).catch((err: Error) => { throw new CliError(`the artifact is not a zip: ${err.message}`); });
  return Promise.all(Object.values(zip.files).filter((f) => !f.dir).map(async (f) => ({ name: f.name, data: await f.async('nodebuffer') })));
}

export const modelsExport: Command = {
  path: ['models', 'export'],
  args: ['<modelId>', '<dir>'],
  summary: 'download a model (GET /models/:id/artifact) into a directory: model.json + weights, or model.onnx',
  details: "tfjs (default): tf.loadLayersModel('file://<dir>/model.json') (tfjs-node) loads it; tensorflowjs_converter turns it into Keras.\n"
    + 'onnx: model.onnx for ONNX Runtime, Triton or onnxruntime-web; input `input` [N, H, W, C] float32, pixels / pixelMax;\n'
    + 'output `probabilities`; its metadata_props hold labels and pixelMax.',
  options: ['force', 'format'],
  async run({ api, args: [id, dir], values, out }) {
    const format = values.format ?? 'tfjs';
    if (!FORMATS.includes(format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}, got '${format}'`, 2);
    // The default asks as before, so the CLI still exports from a server without `format`.
    const data = await api.bytes(`/models/${encodeURIComponent(id)}/artifact${format === 'tfjs' ? '' : `?format=${format}`}`);
    const files = format === 'onnx' ? [{ name: 'model.onnx', data }] : await unzip(data);
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
      try {
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, f.data);
      } catch (err) {
        // ENOTDIR, EACCES, ENOSPC: the user's to fix, so a message rather than a stack.
        const e = err as NodeJS.ErrnoException;
        throw new CliError(`cannot write ${target}: ${e.code ?? e.message}`);
      }
      out.write(`${path.join(dir, f.name)}  ${f.data.length} bytes\n`);
    }
    return 0;
  },
};
