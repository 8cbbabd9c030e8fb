import { CliError } from '../api-client.js';
import type { ModelView, Prediction } from '../../schemas/model-schemas.js';
import { renderTable } from '../render-table.js';
import { printJson, type Command } from './command.js';

export const modelsPredict: Command = {
  path: ['models', 'predict'],
  args: ['<modelId>', '<image>'],
  summary: 'classify a PNG/JPEG image with a model and print the top classes',
  details: "The image is decoded, made grayscale for a 1-channel model, resized to the model's input (GET /models/:id)\n"
    + 'as the service converts images, and sent as a PNG of that size to POST /models/:id/predict.',
  options: ['top', 'invert', 'json'],
  async run({ api, args: [id, file], values, out }) {
    const top = values.top === undefined ? 3 : Number(values.top);
    if (!Number.isInteger(top) || top < 1) throw new CliError(`--top must be a positive integer, got '${values.top}'`, 2);
    const path = `/models/${encodeURIComponent(id)}`;
    const model = await api.json<ModelView>('GET', path);
    // Loaded here, not at start: sharp's native library is only needed by this command.
    const { imageToModelPng } = await import('../image-input.js');
    const png = await imageToModelPng(file, model.inputShape, { invert: values.invert });
    const body = await api.send<{ predictions: Prediction[] }>(`${path}/predict`, png, 'image/png');
    if (values.json) { printJson(out, body); return 0; }
    const [p] = body.predictions;
    const ranked = p.probabilities.map((prob, i) => ({ i, prob })).sort((a, b) => b.prob - a.prob).slice(0, top);
    const label = (i: number) => model.dataset.labels[i] ?? String(i);
    out.write(`prediction: ${p.label} (class ${p.classIndex}, probability ${p.probabilities[p.classIndex].toFixed(4)})\n\n`);
    out.write(renderTable({ headers: ['class', 'label', 'probability'], rows: ranked.map(({ i, prob }) => [String(i), label(i), prob.toFixed(4)]) }));
    return 0;
  },
};
