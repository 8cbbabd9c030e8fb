// @ts-check
// The dashboard's only door to the service: JSON requests and the server-sent event stream, both
// with the API key (kept in localStorage) as the `Authorization: Bearer` header the auth plugin
// reads. EventSource cannot send headers, so the stream is read with fetch and parsed by
// eventsource-parser (served from node_modules by src/routes/dashboard.ts; the CLI uses it too).
import { createParser } from './vendor/eventsource-parser.js';

const KEY = 'hypertune.apiKey';

export const getKey = () => localStorage.getItem(KEY) ?? '';
/** @param {string} key */
export function setKey(key) {
  if (key) localStorage.setItem(KEY, key);
  else localStorage.removeItem(KEY);
}

/** The API answered 401: no key, or one it does not accept. */
export class AuthError extends Error {}
export class ApiError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** @param {Record<string, string>} [extra] @returns {Record<string, string>} */
function headers(extra = {}) {
  const key = getKey();
  return key ? { ...extra, authorization: `Bearer ${key}` } : extra;
}

/** @param {Response} res */
async function failure(res) {
  const body = await res.json().catch(() => null);
  const message = body?.error?.message ?? `${res.status} ${res.statusText}`;
  return res.status === 401 ? new AuthError(message) : new ApiError(res.status, message);
}

/**
 * The JSON answer to a request (null for 204), typed by the caller (JSDoc `@type` on the result).
 * @param {string} path
 * @param {{ method?: string, body?: unknown, signal?: AbortSignal }} [init]
 * @returns {Promise<any>}
 */
export async function api(path, { method = 'GET', body, signal } = {}) {
  const res = await fetch(path, {
    method,
    signal,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return res.status === 204 ? null : res.json();
}

/**
 * Pages of a paginated list (GET /searches, /searches/:id/trials): `key`'s items of each page,
 * following nextCursor; `pages` stops after that many (default: all) of `limit` items each.
 * @param {string} path
 * @param {string} key the answer's list, e.g. 'searches'
 * @param {{ pages?: number, limit?: number, signal?: AbortSignal }} [options]
 * @returns {Promise<{ items: any[], more: boolean }>} more: pages remain after the last one read
 */
export async function apiPages(path, key, { pages = Infinity, limit = 200, signal } = {}) {
  /** @type {any[]} */
  const items = [];
  /** @type {string | null} */
  let cursor = null;
  for (let read = 0; read < pages; read++) {
    const query = `limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const body = await api(`${path}${path.includes('?') ? '&' : '?'}${query}`, { signal });
    items.push(...body[key]);
    cursor = body.nextCursor ?? null;
    if (cursor === null) break;
  }
  return { items, more: cursor !== null };
}

/**
 * A download that needs the key (so not a plain link): fetched, then saved from a blob.
 * @param {string} path
 * @param {string} fileName
 */
export async function download(path, fileName) {
  const res = await fetch(path, { headers: headers() });
  if (!res.ok) throw await failure(res);
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: fileName });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Follows GET `path` (text/event-stream) until `search.finished` or `signal` aborts, calling
 * onEvent(name, data) for each event. A dropped connection is resumed with Last-Event-ID, so no
 * event is missed or repeated; a 204 means the stream had already ended.
 * @param {string} path
 * @param {(name: string, data: any) => void} onEvent data: the event's JSON (search-events.ts)
 * @param {{ signal: AbortSignal, onState?: (state: 'live' | 'idle') => void }} options
 */
export async function followEvents(path, onEvent, { signal, onState = () => {} }) {
  /** @type {string | undefined} */
  let lastId;
  let retryMs = 1000;
  while (!signal.aborted) {
    try {
      const res = await fetch(path, {
        signal,
        headers: headers({ accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) }),
      });
      if (res.status === 204) return;
      if (!res.ok) throw await failure(res);
      onState('live');
      // A fresh parser per connection: a message cut off by the drop is sent again after lastId.
      /** @type {import('./vendor/eventsource-parser.js').EventSourceMessage[]} */
      const messages = [];
      const parser = createParser({ onEvent: (m) => messages.push(m), onRetry: (ms) => { retryMs = ms; } });
      const reader = /** @type {ReadableStream<BufferSource>} */ (res.body).pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
        for (const m of messages.splice(0)) {
          if (m.id !== undefined) lastId = m.id;
          if (m.event && m.data) {
            onEvent(m.event, JSON.parse(m.data));
            if (m.event === 'search.finished') return;
          }
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof AuthError || (err instanceof ApiError && err.status < 500)) throw err;
    } finally {
      onState('idle');
    }
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}

