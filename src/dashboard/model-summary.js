// @ts-check
// The best model's summary, as Keras' model.summary() prints it: layers with output shapes and
// parameter counts, then totals, training settings, hyperparameters and metrics (GET /models/:id).
import { download } from './api.js';
import { el } from './dom.js';
import { fmtNumber } from './trials.js';

/** @typedef {import('./api-types.js').Model} Model */

/** @param {(number | null)[]} s */
const shape = (s) => `(${s.map((d) => (d === null ? 'None' : d)).join(', ')})`;
/** @param {string} dt @param {HTMLElement} dd */
const fact = (dt, dd) => el('div', {}, el('dt', {}, dt), dd);
/** @param {string} text */
const muted = (text) => el('span', { class: 'muted' }, text);

/**
 * @param {HTMLElement} root
 * @param {Model | null} model
 * @param {number | undefined} trialNumber
 */
export function renderModelSummary(root, model, trialNumber) {
  if (!model) {
    root.replaceChildren(el('p', { class: 'empty' }, 'No model yet: the best trial\'s model appears here once a trial completes.'));
    return;
  }
  const m = model.metrics ?? {};
  const opt = model.optimizer ?? {};
  const hps = Object.entries(model.hyperparameters ?? {})
    .map(([k, v]) => el('span', { class: 'chip' }, el('b', {}, k), ' ', typeof v === 'number' ? fmtNumber(v) : v ?? ''));
  const layers = (model.layers ?? []).map((l) => el('tr', {},
    el('td', {}, l.name, ' ', muted(`(${l.type ?? ''})`)), el('td', {}, shape(l.outputShape)), el('td', { class: 'num' }, fmtNumber(l.params))));
  const button = el('button', { type: 'button', class: 'link', 'data-download': true }, 'Download the model (tfjs layers zip)');
  button.addEventListener('click', () =>
    download(`/models/${encodeURIComponent(model.id)}/artifact`, `model-${model.id}.zip`).catch((err) => alert(err.message)));
  root.replaceChildren(
    el('dl', { class: 'facts' },
      fact('model', el('dd', {}, el('code', { title: model.id }, model.id.slice(0, 8)), trialNumber ? ` from trial #${trialNumber}` : null)),
      fact('val_accuracy', el('dd', { id: 'best-val-accuracy' },
        typeof m.valAccuracy === 'number' ? m.valAccuracy.toFixed(4) : '–', m.bestEpoch ? [' ', muted(`(epoch ${m.bestEpoch} of ${m.epochs})`)] : null)),
      fact('parameters', el('dd', { id: 'best-total-params' }, fmtNumber(model.totalParams), ' ', muted(`(${fmtNumber(model.trainableParams)} trainable)`))),
      fact('input', el('dd', {}, `${model.inputShape.join(' × ')}, pixels 0–${model.dataset?.pixelMax ?? ''}`)),
      fact('training', el('dd', {}, `${opt.type ?? ''} (lr ${fmtNumber(opt.learningRate)}), ${model.loss ?? ''}`)),
      fact('dataset', el('dd', {}, `${model.dataset?.id ?? ''}, ${model.dataset?.labels?.length ?? '?'} classes`))),
    el('div', { class: 'chips' }, hps),
    el('div', { class: 'table-scroll' }, el('table', { class: 'layers' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Layer (type)'), el('th', {}, 'Output shape'), el('th', { class: 'num' }, 'Param #'))),
      el('tbody', {}, layers),
      el('tfoot', {}, el('tr', {}, el('td', { colspan: 2 }, 'Total params'), el('td', { class: 'num' }, fmtNumber(model.totalParams)))))),
    el('p', {}, button));
}
