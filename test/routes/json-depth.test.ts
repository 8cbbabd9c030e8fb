// JSON bodies have a nesting limit checked in one linear pass before JSON.parse: an 8 MB body of
// `[` answered 400 only after seconds of parsing on the event loop, stalling every other request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/plugins/json-body.js';
import { healthDuring } from '../helpers/event-loop-stall.js';
import { postOffThread } from '../helpers/off-thread-post.js';
import { listen, startHarness, type Harness } from '../helpers/harness.js';

const MB = 1 << 20;

describe('JSON depth limit', () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => { h = await startHarness(); base = await listen(h); });
  afterAll(async () => { await h?.close(); });

  const post = (body: string) => fetch(`${base}/searches/nonexistent/trials`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
    .then(async (r) => ({ status: r.status, body: await r.json() as { error: { code: string; message: string } } }));

  // The body is built and sent by a worker thread: only the API's own work runs on this loop.
  const postBuilt = (expr: string) => postOffThread(`${base}/searches/nonexistent/trials`, expr)
    .then((r) => ({ status: r.status, body: JSON.parse(r.text) as { error: { code: string; message: string } } }));

  it('refuses 8 MB of nested [ at once, naming the limit, three in parallel, without stalling /health', async () => {
    const deep = `'['.repeat(${8 * MB - 1024})`;
    const { result, maxHealthMs, probes } = await healthDuring(base, () => Promise.all([postBuilt(deep), postBuilt(deep), postBuilt(deep)]));
    console.log(`nested [ x3: health ${maxHealthMs.toFixed(0)} ms over ${probes} probes`);
    for (const res of result) {
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: `body: nests deeper than ${MAX_JSON_DEPTH} levels` });
    }
    expect(probes).toBeGreaterThan(0);
    expect(maxHealthMs).toBeLessThan(250);
  });

  it('counts only structure: brackets inside strings and escaped quotes do not nest', async () => {
    const inString = JSON.stringify({ trials: [{ hyperparameters: { a: `\\"${'['.repeat(150)}` } }] });
    const res = await post(inString);
    expect(res.status).toBe(404); // parsed and validated: only the search is unknown
    const atLimit = `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`;
    expect((await post(atLimit)).body.error.message).toMatch(/^body: must be object/);
    const over = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`;
    expect((await post(over)).body.error.message).toBe(`body: nests deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it('keeps prototype-poisoning protection', async () => {
    const res = await post('{"trials":[],"__proto__":{"x":1}}');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toMatch(/FST_/);
  });

  it('answers a deep-but-allowed 8 MB body and a large flat one (their stall reported)', async () => {
    const d = MAX_JSON_DEPTH - 2;
    const deepAllowed = `'{"trials":[' + Array(Math.floor(${8 * MB - 1024} / ${2 * d + 2})).fill('['.repeat(${d}) + '1' + ']'.repeat(${d})).join(',') + ']}'`;
    const flat = `'{"trials":[' + Array(${(8 * MB - 1024) / 2}).fill('1').join(',') + ']}'`;
    for (const [name, body] of [['deep-but-allowed', deepAllowed], ['flat', flat]]) {
      const { result, maxHealthMs, probes } = await healthDuring(base, () => postBuilt(body));
      console.log(`${name} 8 MB: health ${maxHealthMs.toFixed(0)} ms over ${probes} probes`);
      expect(result.status).toBe(400);
      expect(result.body.error.message).toMatch(/^trials: must NOT have more than 100 items/);
      expect(probes).toBeGreaterThan(0);
      // Both pass the depth check: JSON.parse of millions of values (and collecting them) is
      // bounded by BODY_LIMIT_BYTES, not by this limit. Measured 16-1,441 ms for the deep one on
      // a quiet 2-core machine, so the stall is reported, not asserted (issue 15 leaves it open).
    }
  });
});
