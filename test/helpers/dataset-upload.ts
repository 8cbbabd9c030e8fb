// POST /datasets answers 202 and decodes the files in a child process: these wait for the outcome
// the way a client does, polling GET /datasets/:id until the status is no longer 'processing'.
import { setTimeout as sleep } from 'node:timers/promises';
import type supertest from 'supertest';
import { expect } from 'vitest';
import type { Harness } from './harness.js';

export interface DatasetBody {
  id: string;
  status: 'processing' | 'ready' | 'failed';
  error?: { field: string | null; message: string };
  name: string;
  labels: string[];
  inputShape: number[];
  pixelMax: number;
  trainSize: number;
  [key: string]: unknown;
}

/** Polls until the dataset is ready or failed; its final view. */
export async function waitForDataset(h: Pick<Harness, 'request'>, id: string, auth?: string, timeoutMs = 60_000): Promise<DatasetBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let req = h.request.get(`/datasets/${id}`);
    if (auth) req = req.set('authorization', `Bearer ${auth}`);
    const res = await req;
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (res.body.status !== 'processing') return res.body as DatasetBody;
    if (Date.now() > deadline) throw new Error(`dataset ${id} still processing after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Sends the prepared upload, expects 202 (processing), and waits until it is ready (failing otherwise). */
export async function uploadAndWait(h: Pick<Harness, 'request'>, upload: supertest.Test, auth?: string): Promise<DatasetBody> {
  const res = await upload;
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body.status).toBe('processing');
  expect(res.headers.location).toBe(`/datasets/${res.body.id}`);
  const done = await waitForDataset(h, res.body.id, auth);
  expect(done.status, JSON.stringify(done.error)).toBe('ready');
  return done;
}

/** Sends the prepared upload, expects 202, and waits until it fails; its final view. */
export async function uploadAndFail(h: Pick<Harness, 'request'>, upload: supertest.Test, auth?: string): Promise<DatasetBody> {
  const res = await upload;
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const done = await waitForDataset(h, res.body.id, auth);
  expect(done.status, JSON.stringify(done)).toBe('failed');
  return done;
}
