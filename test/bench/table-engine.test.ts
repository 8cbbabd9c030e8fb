import { describe, expect, it } from 'vitest';
import { resolveTemplate } from '../../src/domain/model-template.js';
import type { EpochMetrics, TrainRequest } from '../../src/domain/training-port.js';
import { gridOf, indexTable, readTable, writeTable } from '../../bench/curve-table.js';
import { TableTrainingEngine } from '../../bench/table-engine.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smoothCurve, syntheticTable, SYNTHETIC_SPACE } from './synthetic-table.js';

const table = syntheticTable(smoothCurve, 4);

function request(hp: Record<string, number>, epochs: number, initialEpoch = 0, decide: (m: EpochMetrics) => 'continue' | 'stop' | 'prune' = () => 'continue'): TrainRequest {
  return {
    model: resolveTemplate(SYNTHETIC_SPACE.model, hp), dataset: table.dataset, seed: 1, initialEpoch,
    training: { epochs, batchSize: 32, validationSplit: 0.1 },
    onEpochEnd: async (m) => decide(m),
  };
}

describe('the curve table', () => {
  it('holds exactly its space’s grid, and says what is wrong with one that does not', () => {
    expect(gridOf(SYNTHETIC_SPACE)).toHaveLength(18);
    expect(indexTable(table).size).toBe(18);
    expect(() => indexTable({ ...table, rows: table.rows.slice(1) })).toThrow(/lacks 1 configurations/);
    expect(() => indexTable({ ...table, rows: [...table.rows, { ...table.rows[0], hyperparameters: { ...table.rows[0].hyperparameters, units: 9 } }] })).toThrow(/1 rows outside its space/);
    expect(() => indexTable({ ...table, rows: table.rows.map((r, i) => (i === 3 ? { ...r, epochs: r.epochs.slice(1) } : r)) })).toThrow(/has 3 epochs, not the table's 4/);
  });

  it('reads back what it wrote, gzipped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'curve-table-'));
    try {
      writeTable(join(dir, 't.json.gz'), table);
      expect(readTable(join(dir, 't.json.gz'))).toEqual(table);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the table-backed training engine', () => {
  const engine = new TableTrainingEngine(table);
  const hp = { layers: 2, units: 16, units_2: 8, learning_rate: 0.001 };

  it('hands out the row of the requested model, epoch by epoch, and traces them', async () => {
    const result = await engine.train(request(hp, 4));
    expect(result.epochs.map((e) => e.valAccuracy)).toEqual([1, 2, 3, 4].map((e) => smoothCurve(hp, e)));
    expect(result.best?.epoch).toBe(4);
    expect(result.artifact).not.toBeNull();
    expect(engine.takeTrace().map((t) => t.epoch)).toEqual([1, 2, 3, 4]);
    expect(engine.takeTrace()).toEqual([]);
  });

  it('continues a row where a promotion starts, counting only the new epochs', async () => {
    const result = await engine.train(request(hp, 3, 1));
    expect(result.epochs.map((e) => e.epoch)).toEqual([2, 3]);
    expect(result.epochs[0].valAccuracy).toBe(smoothCurve(hp, 2));
    expect(engine.takeTrace()).toEqual([{ epoch: 2, valAccuracy: smoothCurve(hp, 2), continued: true }, { epoch: 3, valAccuracy: smoothCurve(hp, 3), continued: true }]);
  });

  it('stops where it is told, keeping the best epoch when pruned', async () => {
    const result = await engine.train(request(hp, 4, 0, (m) => (m.epoch === 2 ? 'prune' : 'continue')));
    expect(result).toMatchObject({ stopped: true, pruned: true, best: { epoch: 2 } });
    expect(engine.takeTrace()).toHaveLength(2);
  });

  it('names a configuration the table does not hold', async () => {
    await expect(engine.train(request({ layers: 1, units: 12, learning_rate: 0.01 }, 2))).rejects.toThrow(/configuration not in the curve table: .*"units":12/);
  });

  it('refuses epochs past the table’s and data it was not built on', async () => {
    await expect(engine.train(request(hp, 5))).rejects.toThrow(/holds 4 epochs per configuration, the request trains to epoch 5/);
    await expect(engine.train({ ...request(hp, 2), dataset: { id: 'fashion-mnist', limit: 200 } })).rejects.toThrow(/the table was built for/);
  });
});
