// The `hypertune` CLI as a user runs it: a child process (node bin/hypertune.mjs) against a real
// service (real app listening on a port, real Redis, SQLite, a real worker training in child
// processes), with authentication on, so every call also proves the key is sent.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../../src/datasets/fashion-mnist.js';
import { csvFile, fashionSample } from '../fixtures/dataset-files.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { runCli } from './run-cli.js';

const ADMIN = `admin-key-${'c'.repeat(32)}`;
const TINY = JSON.parse(readFileSync(new URL('../../examples/tiny-search.json', import.meta.url), 'utf8'));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A file-system IOHandler: model.json and the weight files its manifest names, from a directory. */
function dirHandler(dir: string): tf.io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers = manifest.flatMap((g) => g.paths).map((p) => new Uint8Array(readFileSync(path.join(dir, p))).buffer);
        return [manifest.flatMap((g) => g.weights), tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

describe('hypertune CLI against a running service', () => {
  let h: Harness;
  let env: Record<string, string>;
  let work: string;
  let searchId: string;
  let modelId: string;
  const test = loadFashionMnist(undefined, 'test', 2);
  const pixels = (i: number) => Array.from({ length: 28 }, (_, y) => Array.from(test.images.subarray(i * 784 + y * 28, i * 784 + (y + 1) * 28)));
  const api = (req: ReturnType<Harness['request']['get']>) => req.set('authorization', `Bearer ${env.HYPERTUNE_API_KEY}`);

  beforeAll(async () => {
    h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN, EVENTS_POLL_MS: '200' });
    await h.startWorker();
    const url = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { key } = (await h.request.post('/api-keys').set('authorization', `Bearer ${ADMIN}`).send({ tenant: 'cli', name: 'cli test' }).expect(201)).body;
    env = { HYPERTUNE_URL: url, HYPERTUNE_API_KEY: key };
    work = mkdtempSync(path.join(tmpdir(), 'hypertune-cli-'));
  });
  afterAll(async () => {
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('prints help for the CLI and each command, and exits 2 on bad usage', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const c of ['search create <spec.json>', 'search list', 'trials <searchId>', 'models predict <modelId> <image>', 'models export <modelId> <dir>'])
      expect(top.stdout).toContain(`hypertune ${c}`);
    const create = await runCli(['search', 'create', '--help']);
    expect(create.code).toBe(0);
    expect(create.stdout).toMatch(/--watch/);
    expect(create.stdout).toMatch(/--key KEY/);
    const bad = await runCli(['search', 'list', '--watch'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/takes no --watch/);
  });

  it("prints the API's 401 without a key, its 403 for the admin key, and says when the service is unreachable", async () => {
    const expected = (await h.request.get('/searches').expect(401)).body.error.message;
    const none = await runCli(['search', 'list'], { HYPERTUNE_URL: env.HYPERTUNE_URL });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`error: ${expected} (HTTP 401 UNAUTHORIZED)`);
    const admin = await runCli(['search', 'list', '--key', ADMIN], { HYPERTUNE_URL: env.HYPERTUNE_URL });
    expect(admin.code).toBe(1);
    expect(admin.stderr).toMatch(/error: the admin key manages API keys only.*\(HTTP 403 FORBIDDEN\)/);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r)); // a port nothing listens on now
    const down = await runCli(['search', 'list', '--url', `http://127.0.0.1:${port}`], env);
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(`error: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`);
  });

  it('refuses a bad spec with the message naming the field, and creates nothing', async () => {
    const cases: [object, RegExp][] = [
      [{ ...TINY, hyperparameters: [{ ...TINY.hyperparameters[0], min: 32, max: 8 }, ...TINY.hyperparameters.slice(1)] }, /error: hyperparameters\[0\]\.\w+: .*\(HTTP 400 VALIDATION_ERROR\)/],
      [{ ...TINY, training: { ...TINY.training, epochs: 'three' } }, /error: training\.epochs: .*\(HTTP 400 VALIDATION_ERROR\)/],
    ];
    for (const [spec, message] of cases) {
      const file = path.join(work, 'bad.json');
      writeFileSync(file, JSON.stringify(spec));
      const res = await runCli(['search', 'create', file, '--watch'], env);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(message);
      expect(res.stdout).toBe('');
    }
    writeFileSync(path.join(work, 'broken.json'), '{ "name": ');
    const broken = await runCli(['search', 'create', path.join(work, 'broken.json')], env);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken\.json is not valid JSON/);
    expect((await api(h.request.get('/searches')).expect(200)).body.searches).toEqual([]);
  });

  it('creates a search and follows it live (--watch, plain lines off a terminal) to exit code 0 and the trial table', async () => {
    const res = await runCli(['search', 'create', 'examples/tiny-search.json', '--watch'], env, 280_000);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    searchId = /^search (\S+) \(tiny-fashion-mnist\) created/.exec(res.stdout)![1];
    const { trials } = (await api(h.request.get(`/searches/${searchId}/trials`)).expect(200)).body;
    expect(trials).toHaveLength(2);
    const lines = res.stdout.split('\n');
    let at = 0;
    for (const t of trials) {
      // Live lines, in order: started, the epoch, the completion with its val_accuracy and model.
      for (const line of [`trial ${t.number} started: conv_1_filter=${t.hyperparameters.conv_1_filter}`, `trial ${t.number} epoch 1/1: loss `,
        `trial ${t.number} completed: val_accuracy ${t.valAccuracy.toFixed(4)}, 1 epoch, model ${t.modelId}`]) {
        const i = lines.findIndex((l, k) => k >= at && l.startsWith(line));
        expect(i, `${line} after line ${at} in\n${res.stdout}`).toBeGreaterThanOrEqual(at);
        at = i + 1;
      }
      // The table row: number, status, every hyperparameter in spec order, val_accuracy, epochs.
      const hps = TINY.hyperparameters.map((hp: { name: string }) => escape(String(t.hyperparameters[hp.name])));
      expect(res.stdout).toMatch(new RegExp(`^${t.number}\\s+completed\\s+${hps.join('\\s+')}\\s+${t.valAccuracy.toFixed(4)}\\s+1(/1)?(\\s|$)`, 'm'));
    }
    expect(res.stdout).toMatch(/^#\s+status\s+conv_1_filter\s+conv_1_kernel\s+conv_2_filter\s+conv_2_kernel\s+dense_1_units\s+learning_rate\s+val_accuracy\s+epochs\b/m);
    const search = (await api(h.request.get(`/searches/${searchId}`)).expect(200)).body;
    modelId = search.bestModelId;
    expect(res.stdout.trimEnd().split('\n').at(-1)).toBe(
      `search ${searchId} completed: 2 trials (2 completed); best trial ${search.bestTrial.number}, val_accuracy ${search.bestTrial.valAccuracy.toFixed(4)}, model ${modelId}`);
  }, 300_000);

  it('uploads a dataset and waits until it is ready; a bad one exits 1 with the reason', async () => {
    const csv = path.join(work, 'digits.csv');
    writeFileSync(csv, csvFile(fashionSample(20), 20));
    const ok = await runCli(['dataset', 'upload', 'cli data', 'csv', `file=@${csv}`], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/^dataset \S+ uploaded, processing…$/m);
    const id = /^dataset (\S+) \(cli data\) ready: 28x28x1, 10 classes, 20 training and 0 test items$/m.exec(ok.stdout)![1];
    expect((await api(h.request.get(`/datasets/${id}`)).expect(200)).body.status).toBe('ready');
    const bad = path.join(work, 'bad.csv');
    writeFileSync(bad, 'label,a\n0,1\n1,x\n');
    const failed = await runCli(['dataset', 'upload', 'bad', 'csv', `file=@${bad}`], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error: dataset \S+ failed: file: /m);
    const refused = await runCli(['dataset', 'upload', 'bad', 'csv', `file=@${bad}`, 'channels=3'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/channels: does not apply to format 'csv' .*\(HTTP 400 VALIDATION_ERROR\)/);
    expect((await runCli(['dataset', 'upload', 'x', 'csv'], env)).code).toBe(2);
  }, 120_000);

  it('lists searches as a table and as the raw JSON', async () => {
    const res = await runCli(['search', 'list'], env);
    expect(res.code).toBe(0);
    const search = (await api(h.request.get(`/searches/${searchId}`)).expect(200)).body;
    expect(res.stdout).toMatch(/^id\s+name\s+status\s+trials\s+best\s+objective$/m);
    expect(res.stdout).toMatch(new RegExp(`^${searchId}\\s+tiny-fashion-mnist\\s+completed\\s+2/2\\s+${search.bestTrial.valAccuracy.toFixed(4)}\\s+val_accuracy$`, 'm'));
    const json = await runCli(['search', 'list', '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual((await api(h.request.get('/searches')).expect(200)).body);
  });

  it("shows a search's trials as a table and as the raw JSON; an unknown search is the API's 404", async () => {
    const { trials } = (await api(h.request.get(`/searches/${searchId}/trials`)).expect(200)).body;
    const res = await runCli(['trials', searchId], env);
    expect(res.code).toBe(0);
    const rows = res.stdout.trimEnd().split('\n').slice(2);
    expect(rows).toHaveLength(2);
    rows.forEach((row, i) => {
      const cells = row.split(/\s+/);
      const hps = TINY.hyperparameters.map((hp: { name: string }) => String(trials[i].hyperparameters[hp.name]));
      // Fields the service adds later come as further columns: compare the known ones.
      expect(cells.slice(0, hps.length + 3)).toEqual([String(trials[i].number), 'completed', ...hps, trials[i].valAccuracy.toFixed(4)]);
      expect(cells[hps.length + 3]).toMatch(/^1(\/1)?$/);
    });
    const json = await runCli(['trials', searchId, '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual({ trials, nextCursor: null });
    const missing = await runCli(['trials', 'no-such-search'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("error: search 'no-such-search' not found (HTTP 404 NOT_FOUND)\n");
  });

  it('predicts a PNG of a Fashion-MNIST test image: the label the API gives for the same pixels (--key given as an option)', async () => {
    const png = path.join(work, 'test-0.png');
    await sharp(Buffer.from(test.images.subarray(0, 784)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(png);
    const res = await runCli(['models', 'predict', modelId, png, '--key', env.HYPERTUNE_API_KEY], { HYPERTUNE_URL: env.HYPERTUNE_URL });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const [served] = (await api(h.request.post(`/models/${modelId}/predict`)).send({ instances: [pixels(0)] }).expect(200)).body.predictions;
    const p = served.probabilities[served.classIndex].toFixed(4);
    expect(res.stdout.split('\n')[0]).toBe(`prediction: ${served.label} (class ${served.classIndex}, probability ${p})`);
    expect(res.stdout).toMatch(new RegExp(`^\\s*${served.classIndex}\\s+${escape(served.label)}\\s+${p}$`, 'm'));
    const json = await runCli(['models', 'predict', modelId, png, '--json'], env);
    expect(JSON.parse(json.stdout).predictions[0].probabilities).toEqual(served.probabilities);
  });

  it('exports a model into a directory that tf.loadLayersModel reads, predicting what the API predicts', async () => {
    const dir = path.join(work, 'model');
    const res = await runCli(['models', 'export', modelId, dir], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/model\.json {2}\d+ bytes\n.*weights\.bin {2}\d+ bytes\n/);
    const again = await runCli(['models', 'export', modelId, dir], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/model\.json exists \(--force overwrites it\)/);

    const instances = [pixels(0), pixels(1)];
    const { predictions } = (await api(h.request.post(`/models/${modelId}/predict`)).send({ instances }).expect(200)).body;
    const model = await tf.loadLayersModel(dirHandler(dir));
    try {
      const input = tf.tensor(instances.flat(2), [2, 28, 28, 1]).div(255);
      const local = (await (model.predict(input) as tf.Tensor).array()) as number[][];
      local.forEach((probs, i) => probs.forEach((p, k) => expect(Math.abs(p - predictions[i].probabilities[k])).toBeLessThan(1e-5)));
    } finally {
      model.dispose();
    }
  });

  it('exports a model as model.onnx (--format onnx) that ONNX Runtime runs to what the API predicts; a bad format is usage', async () => {
    const dir = path.join(work, 'onnx');
    const res = await runCli(['models', 'export', modelId, dir, '--format', 'onnx'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/model\.onnx {2}\d+ bytes\n$/);
    const session = await ort.InferenceSession.create(readFileSync(path.join(dir, 'model.onnx')));
    const instances = [pixels(0), pixels(1)];
    const { predictions } = (await api(h.request.post(`/models/${modelId}/predict`)).send({ instances }).expect(200)).body;
    const input = new ort.Tensor('float32', Float32Array.from(instances.flat(2), (v) => v / 255), [2, 28, 28, 1]);
    const local = (await session.run({ input })).probabilities.data as Float32Array;
    predictions.forEach((p: { probabilities: number[] }, i: number) => p.probabilities.forEach((q, k) => expect(Math.abs(local[i * 10 + k] - q)).toBeLessThan(1e-4)));
    const bad = await runCli(['models', 'export', modelId, dir, '--format', 'keras'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of tfjs, onnx/);
  });
});
