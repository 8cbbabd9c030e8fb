// The anytime plot: best val_accuracy so far against epochs spent, the median seed as a line and
// the quartiles as a band, one colour per algorithm, with random's final best as a dashed line.
// Drawn as SVG and rasterised to PNG by sharp (already a dependency, for image uploads).
import sharp from 'sharp';
import type { Band } from './replay-report.js';

const W = 900;
const H = 560;
const M = { left: 70, right: 170, top: 40, bottom: 60 };
const COLOURS = ['#1f77b4', '#7f7f7f', '#2ca02c', '#d62728', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

export interface PlotSeries { name: string; band: Band }

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function anytimeSvg(series: PlotSeries[], target: number, title: string): string {
  const longest = Math.max(1, ...series.map((s) => s.band.median.length));
  const values = series.flatMap((s) => [...s.band.q1, ...s.band.q3]).filter(Number.isFinite);
  const lo = Math.min(target, ...values);
  const hi = Math.max(target, ...values);
  const pad = (hi - lo) * 0.05 || 0.01;
  const [y0, y1] = [lo - pad, hi + pad];
  const x = (e: number) => M.left + ((e - 1) / Math.max(1, longest - 1)) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - ((v - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const path = (vs: number[]) => vs.map((v, i) => `${i ? 'L' : 'M'}${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const parts: string[] = [`<rect width="${W}" height="${H}" fill="white"/>`];
  for (let k = 0; k <= 5; k++) {
    const v = y0 + ((y1 - y0) * k) / 5;
    const e = Math.round(1 + ((longest - 1) * k) / 5);
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`,
      `<text x="${M.left - 8}" y="${y(v) + 4}" font-size="12" text-anchor="end">${v.toFixed(3)}</text>`,
      `<text x="${x(e)}" y="${H - M.bottom + 18}" font-size="12" text-anchor="middle">${e}</text>`);
  }
  series.forEach(({ band }, i) => {
    const area = `${path(band.q3)}${band.q1.map((_, j) => `L${x(band.q1.length - j).toFixed(1)},${y(band.q1[band.q1.length - 1 - j]).toFixed(1)}`).join('')}Z`;
    parts.push(`<path d="${area}" fill="${COLOURS[i % COLOURS.length]}" fill-opacity="0.12" stroke="none"/>`);
  });
  // Lines over every band, the first series (random, the reference) last so no other hides it.
  [...series.keys()].reverse().forEach((i) => {
    parts.push(`<path d="${path(series[i].band.median)}" fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="${i === 0 ? 3 : 2}"/>`);
  });
  series.forEach(({ name }, i) => {
    const c = COLOURS[i % COLOURS.length];
    parts.push(`<line x1="${W - M.right + 15}" x2="${W - M.right + 40}" y1="${M.top + 20 * i}" y2="${M.top + 20 * i}" stroke="${c}" stroke-width="3"/>`,
      `<text x="${W - M.right + 46}" y="${M.top + 20 * i + 4}" font-size="13">${esc(name)}</text>`);
  });
  parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(target)}" y2="${y(target)}" stroke="black" stroke-dasharray="6,4"/>`,
    `<text x="${W - M.right + 15}" y="${M.top + 20 * series.length + 10}" font-size="12">- - random's final best</text>`,
    `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="black"/>`,
    `<text x="${(W - M.right + M.left) / 2}" y="${H - 15}" font-size="14" text-anchor="middle">epochs spent</text>`,
    `<text x="18" y="${H / 2}" font-size="14" text-anchor="middle" transform="rotate(-90 18 ${H / 2})">best val_accuracy so far</text>`,
    `<text x="${W / 2}" y="22" font-size="15" text-anchor="middle">${esc(title)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">${parts.join('')}</svg>`;
}

export async function writePng(svg: string, file: string): Promise<void> {
  await sharp(Buffer.from(svg)).png().toFile(file);
}
