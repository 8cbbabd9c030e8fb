import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DatasetView } from '../../schemas/dataset-schemas.js';
import { CliError } from '../api-client.js';
import { printable } from '../format.js';
import { printJson, type Command } from './command.js';

/** How often GET /datasets/:id is asked while the service decodes the upload. */
const POLL_MS = 1000;

export const datasetUpload: Command = {
  path: ['dataset', 'upload'],
  args: ['<name>', '<format>', '<field=@file|option=value>...'],
  summary: 'upload a dataset (idx, images-zip or csv), wait until the service has decoded it, and print its id',
  details: 'Files as field=@path (idx: trainImages, trainLabels, testImages, testLabels; images-zip and csv: file, testFile),\n'
    + 'options as option=value (labels, inputShape, channels, pixelMax), e.g.\n'
    + '  hypertune dataset upload digits csv file=@digits.csv pixelMax=16\n'
    + "The service answers at once and decodes the files in the background; this waits until GET /datasets/:id says\n"
    + "ready (exit code 0) or failed (exit code 1, with the service's reason).",
  options: ['json'],
  async run({ api, args: [name, format, ...parts], values, out, err }) {
    const form = new FormData();
    form.set('name', name);
    form.set('format', format);
    for (const part of parts) {
      const at = part.indexOf('=');
      if (at < 1) throw new CliError(`'${part}' is not field=@file or option=value`, 2);
      const [field, value] = [part.slice(0, at), part.slice(at + 1)];
      if (value.startsWith('@')) {
        // A Blob backed by the file: a large upload is streamed, not read into memory.
        const file = await openAsBlob(value.slice(1)).catch((e: Error) => { throw new CliError(`${value.slice(1)}: ${e.message}`); });
        form.set(field, file, basename(value.slice(1)));
      } else form.set(field, value);
    }
    let view = await api.form<DatasetView>('/datasets', form);
    if (!values.json) err.write(`dataset ${view.id} uploaded, processing…\n`);
    while (view.status === 'processing') {
      await sleep(POLL_MS);
      view = await api.json<DatasetView>('GET', `/datasets/${encodeURIComponent(view.id)}`);
    }
    if (values.json) printJson(out, view);
    if (view.status === 'failed') {
      if (!values.json) err.write(`error: dataset ${view.id} failed: ${printable(view.error?.message ?? 'no reason given')}\n`);
      return 1;
    }
    if (!values.json) {
      out.write(`dataset ${view.id} (${printable(view.name)}) ready: ${view.inputShape.join('x')}, ${view.numClasses} classes, `
        + `${view.trainSize} training and ${view.testSize} test items\n`);
    }
    return 0;
  },
};
