// @ts-check
// Try the best model: draw on a canvas or upload an image; it is converted in the browser to the
// model's input shape (e.g. 28x28x1) as the service converts images, scaled to the raw pixel range
// the API expects (0..pixelMax) and sent to POST /models/:id/predict.
// Fashion-MNIST items are light on a dark background, so drawing is white on black; "invert" turns
// a photo of a dark item on a light background around.
import { api } from './api.js';
import { mountChart } from './charts.js';
import { el, fill, find } from './dom.js';

/** @typedef {import('./api-types.js').Model} Model */
/** @typedef {import('./api-types.js').Prediction} Prediction */
/** Raw pixels, [h][w] for one channel, [h][w][c] otherwise (as POST /models/:id/predict takes them). @typedef {(number | number[])[][]} Instance */

const DRAW_SIZE = 280;

/** sRGB byte → linear light, and back (to a byte): libvips makes grayscale in linear light. */
/** @param {number} v */
const linear = (v) => { const c = v / 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
/** @param {number} y */
const encode = (y) => 255 * (y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055);

/**
 * Image → nested arrays of raw pixels ([h][w] for one channel, [h][w][c] otherwise), converted as
 * the service converts uploaded images for training and prediction (src/datasets/image.ts, sharp):
 * transparent pixels over black, stretched to the input's size, grayscale as Rec. 709 luminance
 * in linear light, so a photo predicts here as it would from the CLI or a PNG upload.
 * @param {CanvasImageSource} source
 * @param {number} width
 * @param {number} height
 * @param {number[]} inputShape
 * @param {number} pixelMax
 * @param {boolean} invert
 * @returns {Instance}
 */
export function toInstance(source, width, height, inputShape, pixelMax, invert) {
  const [h, w, c = 1] = inputShape;
  const canvas = Object.assign(document.createElement('canvas'), { width: w, height: h });
  const g = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d', { willReadFrequently: true }));
  g.fillStyle = '#000';
  g.fillRect(0, 0, w, h);
  g.imageSmoothingEnabled = true;
  g.imageSmoothingQuality = 'high';
  g.drawImage(source, 0, 0, width, height, 0, 0, w, h);
  const { data } = g.getImageData(0, 0, w, h);
  const px = (/** @type {number} */ v) => Math.min(pixelMax, Math.max(0, (invert ? 255 - v : v) * pixelMax / 255));
  const gray = (/** @type {number} */ i) => Math.round(encode(0.2126 * linear(data[i]) + 0.7152 * linear(data[i + 1]) + 0.0722 * linear(data[i + 2])));
  return Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => {
    const i = (y * w + x) * 4;
    return c === 1 ? px(gray(i)) : Array.from({ length: c }, (_, k) => px(data[i + k]));
  }));
}

/** Shows an instance as the model sees it. @param {HTMLCanvasElement} canvas @param {Instance} instance @param {number} pixelMax */
function paint(canvas, instance, pixelMax) {
  const h = instance.length;
  const w = instance[0].length;
  Object.assign(canvas, { width: w, height: h });
  const g = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const img = g.createImageData(w, h);
  instance.forEach((row, y) => row.forEach((v, x) => {
    const [r, gr, b] = Array.isArray(v) ? [v[0], v[1] ?? v[0], v[2] ?? v[0]] : [v, v, v];
    img.data.set([r, gr, b].map((c) => (c * 255) / pixelMax).concat(255), (y * w + x) * 4);
  }));
  g.putImageData(img, 0, 0);
}

function layout() {
  return el('div', { class: 'predict' },
    el('div', { class: 'draw-area' },
      el('canvas', { id: 'draw-canvas', width: DRAW_SIZE, height: DRAW_SIZE, 'aria-label': 'draw here' }),
      el('p', { class: 'hint' }, 'Draw with the mouse, or upload an image.')),
    el('div', { class: 'predict-controls' },
      el('label', { class: 'button file-button' }, 'Upload an image', el('input', { id: 'upload-input', type: 'file', accept: 'image/*' })),
      el('label', { class: 'check' }, el('input', { id: 'invert-input', type: 'checkbox' }), ' invert (dark item on a light background)'),
      el('div', { class: 'buttons' },
        el('button', { id: 'clear-button', type: 'button' }, 'Clear'),
        el('button', { id: 'predict-button', type: 'button', class: 'primary', disabled: true }, 'Predict')),
      el('div', { class: 'preview' },
        el('canvas', { id: 'preview-canvas', width: 28, height: 28 }), el('span', { class: 'muted' }, 'what the model sees'))),
    el('div', { class: 'predict-result' },
      el('div', { id: 'prediction-label', class: 'prediction-label muted' }, 'No prediction yet'),
      el('div', { id: 'chart-prediction', class: 'chart small' })));
}

/** @param {HTMLElement} root */
export function createPredictBox(root) {
  root.replaceChildren(layout());
  /** @param {string} sel */
  const $ = (sel) => find(sel, root);
  const draw = /** @type {HTMLCanvasElement} */ ($('#draw-canvas'));
  const g = /** @type {CanvasRenderingContext2D} */ (draw.getContext('2d'));
  const invert = /** @type {HTMLInputElement} */ ($('#invert-input'));
  const predictButton = /** @type {HTMLButtonElement} */ ($('#predict-button'));
  const resultChart = mountChart($('#chart-prediction'));
  /** @type {Model | null} */
  let model = null;
  /** @type {ImageBitmap | null} */
  let uploaded = null; // an uploaded image, used as is (not the display copy) until the user draws over it

  const clear = () => {
    g.fillStyle = '#000';
    g.fillRect(0, 0, DRAW_SIZE, DRAW_SIZE);
    uploaded = null;
  };
  clear();

  /** @typedef {[number, number]} Point */
  /** @type {Point | null} */
  let last = null;
  /** @param {PointerEvent} e @returns {Point} */
  const at = (e) => { const r = draw.getBoundingClientRect(); return [(e.clientX - r.left) * DRAW_SIZE / r.width, (e.clientY - r.top) * DRAW_SIZE / r.height]; };
  /** @param {Point} from @param {Point} to */
  const stroke = (from, to) => {
    Object.assign(g, { strokeStyle: '#fff', lineWidth: 24, lineCap: 'round', lineJoin: 'round' });
    g.beginPath();
    g.moveTo(...from);
    g.lineTo(...to);
    g.stroke();
  };
  draw.addEventListener('pointerdown', (e) => { draw.setPointerCapture(e.pointerId); uploaded = null; last = at(e); stroke(last, last); });
  draw.addEventListener('pointermove', (e) => { if (!last) return; const p = at(e); stroke(last, p); last = p; });
  const end = () => { if (last) { last = null; showInput(); } };
  draw.addEventListener('pointerup', end);
  draw.addEventListener('pointercancel', end);

  $('#clear-button').addEventListener('click', () => { clear(); showInput(); });
  invert.addEventListener('change', showInput);
  const upload = /** @type {HTMLInputElement} */ ($('#upload-input'));
  upload.addEventListener('change', async () => {
    const file = upload.files?.[0];
    if (!file) return;
    try {
      const bitmap = await createImageBitmap(file);
      clear();
      const s = Math.min(DRAW_SIZE / bitmap.width, DRAW_SIZE / bitmap.height);
      g.imageSmoothingEnabled = bitmap.width > DRAW_SIZE; // small images (28x28) show as crisp pixels
      g.drawImage(bitmap, (DRAW_SIZE - bitmap.width * s) / 2, (DRAW_SIZE - bitmap.height * s) / 2, bitmap.width * s, bitmap.height * s);
      uploaded = bitmap;
      showInput();
    } catch {
      setLabel([`Could not read ${file.name} as an image`], true);
    }
  });
  predictButton.addEventListener('click', predict);

  function input() {
    if (!model) return null;
    const source = uploaded ?? draw;
    return toInstance(source, source.width, source.height, model.inputShape, model.dataset.pixelMax, invert.checked);
  }

  function showInput() {
    const instance = input();
    if (instance && model) paint(/** @type {HTMLCanvasElement} */ ($('#preview-canvas')), instance, model.dataset.pixelMax);
  }

  /** @param {import('./dom.js').Leaf[]} content */
  function setLabel(content, error = false) {
    const label = $('#prediction-label');
    fill(label, content);
    label.classList.toggle('error', error);
    label.classList.toggle('muted', false);
  }

  async function predict() {
    const instance = input();
    if (!instance || !model) return;
    predictButton.disabled = true;
    try {
      /** @type {{ predictions: Prediction[] }} */
      const { predictions: [p] } = await api(`/models/${encodeURIComponent(model.id)}/predict`, { method: 'POST', body: { instances: [instance] } });
      setLabel([
        el('span', { class: 'muted' }, 'prediction'), ' ', el('strong', { 'data-class-index': p.classIndex }, p.label), ' ',
        el('span', { class: 'muted' }, `${(p.probabilities[p.classIndex] * 100).toFixed(1)}%`),
      ]);
      const labels = model.dataset.labels;
      const top = p.probabilities.map((prob, i) => ({ prob, label: labels[i] ?? String(i) })).sort((a, b) => b.prob - a.prob).slice(0, 5).reverse();
      resultChart.chart.setOption({
        animationDuration: 300,
        grid: { left: 96, right: 48, top: 4, bottom: 4 },
        xAxis: { type: 'value', max: 1, show: false },
        yAxis: { type: 'category', data: top.map((t) => t.label), axisTick: { show: false }, axisLine: { show: false } },
        series: [{
          id: 'probabilities', type: 'bar', data: top.map((t) => t.prob), barWidth: '60%', color: '#4f6bed',
          label: { show: true, position: 'right', formatter: (/** @type {{ value: number }} */ q) => `${(q.value * 100).toFixed(1)}%` },
        }],
      });
    } catch (err) {
      setLabel([/** @type {Error} */ (err).message], true);
    } finally {
      predictButton.disabled = !model;
    }
  }

  return {
    /** The model predictions go to; null while the search has none. */
    /** @param {Model | null} next */
    setModel(next) {
      model = next;
      predictButton.disabled = !model;
      showInput();
    },
    dispose: () => resultChart.dispose(),
  };
}
