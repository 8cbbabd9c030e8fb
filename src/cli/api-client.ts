// The CLI's view of the REST API: JSON requests with the API key, the artifact download, and the
// event stream. API errors keep the service's own message ({ error: { code, message } }).
import { parseSse, type SseMessage } from './sse.js';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A failure the user can act on (unreachable service, bad file, bad arguments): printed without a stack. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** The most items a list answers per page. */
const MAX_PAGE = 200;

export interface ApiOptions {
  url: string;
  key?: string;
}

export class ApiClient {
  readonly baseUrl: string;

  constructor(private readonly opts: ApiOptions) {
    this.baseUrl = opts.url.replace(/\/+$/, '');
  }

  async json<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    await this.check(res);
    return (await res.json()) as T;
  }

  /**
   * Every item of a paginated list (GET /searches, /searches/:id/trials, ...), following
   * `nextCursor` page by page; `max` stops after that many items.
   */
  async all<T>(path: string, key: string, opts: { max?: number; pageSize?: number } = {}): Promise<T[]> {
    const items: T[] = [];
    const pageSize = opts.pageSize ?? MAX_PAGE;
    let cursor: string | null = null;
    do {
      const want = Math.min(pageSize, (opts.max ?? Infinity) - items.length);
      const query = `limit=${want}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const page: Record<string, unknown> = await this.json('GET', `${path}${path.includes('?') ? '&' : '?'}${query}`);
      if (!Array.isArray(page[key])) throw new CliError(`${path}: the answer has no list '${key}'`);
      items.push(...(page[key] as T[]));
      cursor = typeof page.nextCursor === 'string' ? page.nextCursor : null;
    } while (cursor !== null && items.length < (opts.max ?? Infinity));
    return items;
  }

  /** POSTs raw bytes of a content type (an image to predict); answers the JSON reply. */
  async send<T>(path: string, body: Uint8Array, contentType: string): Promise<T> {
    const res = await this.request('POST', path, { body: new Blob([new Uint8Array(body)]), headers: { 'content-type': contentType } });
    await this.check(res);
    return (await res.json()) as T;
  }

  /** POSTs a multipart form (a dataset's files); answers the JSON reply. */
  async form<T>(path: string, body: FormData): Promise<T> {
    const res = await this.request('POST', path, { body });
    await this.check(res);
    return (await res.json()) as T;
  }

  async bytes(path: string): Promise<Buffer> {
    const res = await this.request('GET', path);
    await this.check(res);
    return Buffer.from(await res.arrayBuffer());
  }

  /**
   * Opens an event stream, resuming after `lastEventId` when given. Resolves to null on 204 (the
   * id already held the end of the stream); API errors (404, 401, a bad id) throw ApiError.
   */
  async openEvents(path: string, lastEventId: string | undefined, onRetry?: (ms: number) => void): Promise<AsyncGenerator<SseMessage> | null> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const res = await this.request('GET', path, { headers });
    if (res.status === 204) return null;
    await this.check(res);
    if (!res.body || !res.headers.get('content-type')?.startsWith('text/event-stream')) {
      await res.body?.cancel();
      throw new CliError(`${path}: expected an event stream, got ${res.headers.get('content-type') ?? 'no content type'}`);
    }
    return parseSse(res.body, { onRetry });
  }

  private async request(method: string, path: string, init: { body?: string | Blob | FormData; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.opts.key) headers.authorization = `Bearer ${this.opts.key}`;
    try {
      return await fetch(`${this.baseUrl}${path}`, { method, headers, body: init.body });
    } catch (err) {
      throw new CliError(`cannot reach ${this.baseUrl}: ${reasonOf(err)}`);
    }
  }

  private async check(res: Response): Promise<void> {
    if (res.ok) return;
    const text = await res.text().catch(() => '');
    let code = `HTTP_${res.status}`;
    let message = text.trim() || res.statusText || `HTTP ${res.status}`;
    try {
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
      if (typeof body.error?.message === 'string') message = body.error.message;
      if (typeof body.error?.code === 'string') code = body.error.code;
    } catch { /* not JSON: a proxy's page, say; keep its text */ }
    throw new ApiError(res.status, code, message.slice(0, 2000));
  }
}

/** fetch() hides the socket error in `cause` ("fetch failed"); the code (ECONNREFUSED) is what helps. */
export function reasonOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
