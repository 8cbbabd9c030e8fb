// The best model's summary, as Keras' model.summary() prints it: layers with output shapes and
// parameter counts, then totals, training settings, hyperparameters and metrics (GET /models/:id).
import { download } from './api.js';
import { esc, fmtNumber } from './trials.js';

const shape = (s) => `(${s.map((d) => (d === null ? 'None' : d)).join(', ')})`;

export function renderModelSummary(el, model, trialNumber) {
  if (!model) {
    el.innerHTML = '<p class="empty">No model yet: the best trial\'s model appears here once a trial completes.</p>';
    return;
  }
  const m = model.metrics ?? {};
  const hps = Object.entries(model.hyperparameters ?? {})
    .map(([k, v]) => `<span class="chip"><b>${esc(k)}</b> ${esc(typeof v === 'number' ? fmtNumber(v) : v)}</span>`).join('');
  const layers = (model.layers ?? []).map((l) => `<tr><td>${esc(l.name)} <span class="muted">(${esc(l.type)})</span></td><td>${esc(shape(l.outputShape))}</td><td class="num">${fmtNumber(l.params)}</td></tr>`).join('');
  const opt = model.optimizer ?? {};
  el.innerHTML = `
    <dl class="facts">
      <div><dt>model</dt><dd><code title="${esc(model.id)}">${esc(model.id.slice(0, 8))}</code>${trialNumber ? ` from trial #${trialNumber}` : ''}</dd></div>
      <div><dt>val_accuracy</dt><dd id="best-val-accuracy">${typeof m.valAccuracy === 'number' ? m.valAccuracy.toFixed(4) : '–'}${m.bestEpoch ? ` <span class="muted">(epoch ${m.bestEpoch} of ${m.epochs})</span>` : ''}</dd></div>
      <div><dt>parameters</dt><dd id="best-total-params">${fmtNumber(model.totalParams)} <span class="muted">(${fmtNumber(model.trainableParams)} trainable)</span></dd></div>
      <div><dt>input</dt><dd>${esc(model.inputShape.join(' × '))}, pixels 0–${esc(model.dataset?.pixelMax)}</dd></div>
      <div><dt>training</dt><dd>${esc(opt.type)} (lr ${fmtNumber(opt.learningRate)}), ${esc(model.loss)}</dd></div>
      <div><dt>dataset</dt><dd>${esc(model.dataset?.id)}, ${model.dataset?.labels?.length ?? '?'} classes</dd></div>
    </dl>
    <div class="chips">${hps}</div>
    <div class="table-scroll"><table class="layers">
      <thead><tr><th>Layer (type)</th><th>Output shape</th><th class="num">Param #</th></tr></thead>
      <tbody>${layers}</tbody>
      <tfoot><tr><td colspan="2">Total params</td><td class="num">${fmtNumber(model.totalParams)}</td></tr></tfoot>
    </table></div>
    <p><button type="button" class="link" data-download>Download the model (tfjs layers zip)</button></p>`;
  el.querySelector('[data-download]').addEventListener('click', () =>
    download(`/models/${encodeURIComponent(model.id)}/artifact`, `model-${model.id}.zip`).catch((err) => alert(err.message)));
}
