#!/usr/bin/env node
// $OUT/summary.json of a device run (scripts/device/run.sh): each step's status, seconds and reason,
// and the figures read from its log, so one small file says what the run measured. Figures come
// only from what the steps printed: a step that did not run has none.
// Usage: summary.mjs STEPS.jsonl OUT_DIR START_EPOCH_S [NOTE]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The JSON lines a log holds (bench children print one per measurement). */
export function jsonLines(text) {
  return text.split('\n').filter((l) => l.startsWith('{')).flatMap((l) => {
    try { return [JSON.parse(l)]; } catch { return []; }
  });
}

/** vitest's closing counts: "Test Files  2 passed (2)", "Tests  14 passed | 1 failed (15)". */
export function vitestFigures(text) {
  const count = (label) => {
    const line = text.split('\n').find((l) => new RegExp(`^\\s*${label}\\s`).test(l.replace(/\x1b\[[0-9;]*m/g, '')));
    if (!line) return undefined;
    const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
    return Object.fromEntries([...plain.matchAll(/(\d+) (passed|failed|skipped|todo)/g)].map(([, n, k]) => [k, Number(n)]));
  };
  const files = count('Test Files');
  const tests = count('Tests');
  return files || tests ? { files, tests } : {};
}

/** bench:train's measurements: samples/s by engine and batch, and the ratios the targets name. */
export function trainFigures(text) {
  const rates = {};
  for (const r of jsonLines(text)) {
    if (typeof r.engine !== 'string' || typeof r.batch !== 'number') continue;
    const key = r.engine === 'pytorch' && r.device ? `pytorch-${r.device}` : r.engine;
    rates[key] ??= {};
    rates[key][r.batch] = r.samplesPerSecond !== undefined ? Math.round(r.samplesPerSecond) : `unavailable: ${r.unavailable ?? 'no figure'}`;
  }
  const ratio = (a, b, batch) => (typeof rates[a]?.[batch] === 'number' && typeof rates[b]?.[batch] === 'number' ? Number((rates[a][batch] / rates[b][batch]).toFixed(3)) : undefined);
  const batches = [...new Set(Object.values(rates).flatMap((r) => Object.keys(r)))];
  const torch = Object.keys(rates).find((k) => k.startsWith('pytorch'));
  return {
    samplesPerSecond: rates,
    ...(torch ? { cudaOverPytorch: Object.fromEntries(batches.map((b) => [b, ratio('cuda', torch, b)])) } : {}),
    cudaOverWebgpu: Object.fromEntries(batches.map((b) => [b, ratio('cuda', 'webgpu', b)])),
  };
}

/** The concurrency sweep's lines: aggregate samples/s by process count, and the gain over one. */
export function sweepFigures(text) {
  const levels = jsonLines(text).filter((r) => typeof r.processes === 'number' && typeof r.aggregateSamplesPerSecond === 'number');
  const one = levels.find((l) => l.processes === 1)?.aggregateSamplesPerSecond;
  return {
    aggregateSamplesPerSecond: Object.fromEntries(levels.map((l) => [l.processes, Math.round(l.aggregateSamplesPerSecond)])),
    ...(one ? { overOneProcess: Object.fromEntries(levels.map((l) => [l.processes, Number((l.aggregateSamplesPerSecond / one).toFixed(2))])) } : {}),
  };
}

/** bench:notebook's closing line and its trial table. */
export function notebookFigures(text) {
  const m = text.match(/search (\w+) in ([\d.]+) min .*?best trial (\d+) val_accuracy ([\d.]+); its model on the (?:10,000 test images: ([\d.]+)|test images: not scored)/);
  const trials = text.split('\n').filter((l) => /^\| \d+ \|/.test(l)).length;
  if (!m) return trials ? { trials } : {};
  return { status: m[1], minutes: Number(m[2]), bestTrial: Number(m[3]), bestValAccuracy: Number(m[4]), ...(m[5] ? { testAccuracy: Number(m[5]) } : {}), trials };
}

const FIGURES = { test: vitestFigures, train: trainFigures, sweep: sweepFigures, notebook: notebookFigures };

export function summarize(stepsText, readLog) {
  return jsonLines(stepsText).map((s) => {
    const log = readLog(s.log);
    const figures = s.status === 'skipped' || !log || !FIGURES[s.step] ? {} : FIGURES[s.step](log);
    return { ...s, ...(Object.keys(figures).length ? { figures } : {}) };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [stepsFile, out, start, note] = process.argv.slice(2);
  const steps = summarize(existsSync(stepsFile) ? readFileSync(stepsFile, 'utf8') : '', (log) => {
    const file = path.join(out, log);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  });
  const summary = {
    finished: new Date().toISOString(), seconds: Math.round(Date.now() / 1000 - Number(start)), ...(note ? { note } : {}), steps,
  };
  writeFileSync(path.join(out, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
  console.log(JSON.stringify(summary, null, 1));
}
