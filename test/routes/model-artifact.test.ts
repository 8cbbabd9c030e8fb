// GET /models/:id/artifact: the stored model as a zip of tfjs layers files, which loads back into
// a model predicting exactly what the service predicts; tenant-scoped like GET /models/:id.
import * as tf from '@tensorflow/tfjs';
import JSZip from 'jszip';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinySearch } from '../fixtures/reference-search.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { saveUntrainedModel } from '../helpers/untrained-model.js';

/** supertest buffers only text by default: collect the zip's bytes. */
const binary = (res: Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/** An IOHandler reading model.json and the weight files its manifest names from the unzipped archive. */
function zipHandler(zip: JSZip): tf.io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(await zip.file('model.json')!.async('string')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = await Promise.all(manifest.flatMap((group) => group.paths).map(async (p) => {
          const file = zip.file(p);
          if (!file) throw new Error(`the zip has no ${p}`);
          return new Uint8Array(await file.async('uint8array')).buffer;
        }));
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

// Deterministic pseudo-random 28x28 images of integer pixels 0-255, plus a blank one.
function images(n: number): number[][][] {
  let seed = 12345;
  const next = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % 256; };
  return [Array.from({ length: 28 }, () => Array(28).fill(0)),
    ...Array.from({ length: n }, () => Array.from({ length: 28 }, () => Array.from({ length: 28 }, next)))];
}

describe('GET /models/:id/artifact', () => {
  let h: Harness;
  let modelId: string;
  beforeAll(async () => {
    h = await startHarness();
    const search = await h.core.searches.create(tinySearch());
    modelId = await saveUntrainedModel(h.core.store, search.id);
  });
  afterAll(async () => { await h?.close(); });

  it('downloads a zip of model.json and weights.bin that predicts what the service predicts', async () => {
    const res = await h.request.get(`/models/${modelId}/artifact`).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="model-${modelId}.zip"`);
    const zip = await JSZip.loadAsync(res.body as Buffer);
    expect(Object.keys(zip.files).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await zip.file('model.json')!.async('string'));
    expect(json).toMatchObject({ format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'] }] });
    expect(json.modelTopology).toHaveProperty('class_name', 'Sequential');
    const weights = await zip.file('weights.bin')!.async('uint8array');
    const bytes = (json.weightsManifest[0].weights as { shape: number[] }[]).reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    expect(weights.byteLength).toBe(bytes);

    const { body: summary } = await h.request.get(`/models/${modelId}`).expect(200);
    const instances = images(3);
    const { body } = await h.request.post(`/models/${modelId}/predict`).send({ instances }).expect(200);
    const model = await tf.loadLayersModel(zipHandler(zip));
    try {
      const input = tf.tensor(instances.flat(2), [instances.length, ...summary.inputShape]).div(summary.dataset.pixelMax);
      const local = (await (model.predict(input) as tf.Tensor).array()) as number[][];
      expect(local).toHaveLength(instances.length);
      local.forEach((probs, i) => {
        const served: number[] = body.predictions[i].probabilities;
        expect(probs).toHaveLength(served.length);
        probs.forEach((p, k) => expect(Math.abs(p - served[k])).toBeLessThan(1e-5));
      });
      // Not all alike: the comparison would be weak if every input gave the same answer.
      expect(local[1]).not.toEqual(local[2]);
    } finally {
      model.dispose();
    }
  });

  it('answers 404 in the error shape for an unknown model, 400 for a bad id', async () => {
    const res = await h.request.get('/models/nope/artifact').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(res.headers['content-disposition']).toBeUndefined();
    await h.request.get('/models/a.b/artifact').expect(400);
  });

  it('is described in OpenAPI as a binary zip', async () => {
    const { body } = await h.request.get('/docs/json').expect(200);
    const op = body.paths['/models/{id}/artifact'].get;
    expect(op.responses['200'].content['application/zip'].schema).toEqual({ type: 'string', format: 'binary' });
    expect(op.responses['404'] ?? op.responses['4XX']).toBeDefined();
  });
});

describe('GET /models/:id/artifact with authentication on', () => {
  const ADMIN = `admin-key-${'a'.repeat(32)}`;
  let h: Harness;
  const key: Record<string, string> = {};
  let modelA: string;
  beforeAll(async () => {
    h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN });
    for (const tenant of ['alpha', 'beta']) {
      key[tenant] = (await h.request.post('/api-keys').set('authorization', `Bearer ${ADMIN}`).send({ tenant, name: tenant }).expect(201)).body.key;
    }
    const searchA = (await h.request.post('/searches').set('authorization', `Bearer ${key.alpha}`).send(tinySearch()).expect(201)).body.id;
    modelA = await saveUntrainedModel(h.core.store, searchA);
  });
  afterAll(async () => { await h?.close(); });

  it('serves the owner, 404s another tenant like an unknown id, 403s the admin, 401s no key', async () => {
    await h.request.get(`/models/${modelA}/artifact`).set('authorization', `Bearer ${key.alpha}`).buffer(true).parse(binary).expect(200);
    const other = await h.request.get(`/models/${modelA}/artifact`).set('authorization', `Bearer ${key.beta}`).expect(404);
    const unknown = await h.request.get('/models/nope/artifact').set('authorization', `Bearer ${key.beta}`).expect(404);
    expect(other.body.error.code).toBe(unknown.body.error.code);
    await h.request.get(`/models/${modelA}/artifact`).set('authorization', `Bearer ${ADMIN}`).expect(403);
    await h.request.get(`/models/${modelA}/artifact`).expect(401);
  });
});
