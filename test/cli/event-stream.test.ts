// followEvents against a scripted HTTP server: a dropped connection is resumed with Last-Event-ID
// and nothing is received twice; a 204 ends it; a 4xx is reported at once; endless 5xx give up.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, ApiError, CliError } from '../../src/cli/api-client.js';
import { followEvents, type SearchEventMessage } from '../../src/cli/event-stream.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
let server: Server | undefined;
afterEach(async () => { await new Promise((r) => server?.close(r)); server = undefined; });

async function serve(handler: Handler): Promise<{ api: ApiClient; seen: (string | undefined)[] }> {
  const seen: (string | undefined)[] = [];
  server = createServer((req, res) => {
    seen.push(req.headers['last-event-id'] as string | undefined);
    handler(req, res, seen.length);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { api: new ApiClient({ url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}` }), seen };
}

const sse = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });
const ev = (id: string, event: string, data: object) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const noWait = { sleep: async () => undefined };

async function follow(api: ApiClient, opts = {}) {
  const got: SearchEventMessage[] = [];
  const reconnects: string[] = [];
  await followEvents(api, 's1', (e) => got.push(e), { ...noWait, onReconnect: (_, why) => reconnects.push(why), ...opts });
  return { got, reconnects };
}

describe('followEvents', () => {
  it('resumes a dropped connection from the last id and gets every event once', async () => {
    const { api, seen } = await serve((req, res, n) => {
      expect(req.url).toBe('/searches/s1/events');
      sse(res);
      if (n === 1) {
        res.write(ev('0.t1s', 'trial.started', { number: 1 }) + ev('0.t1e1', 'trial.epoch', { number: 1, epoch: 1 }));
        setTimeout(() => res.destroy(), 50); // the connection drops mid-stream
      } else if (n === 2) {
        res.end(ev('1', 'trial.finished', { number: 1 })); // ends cleanly, but not finished: reconnect
      } else {
        res.end(ev('1.end', 'search.finished', { status: 'completed' }));
      }
    });
    const { got, reconnects } = await follow(api);
    expect(got.map((e) => `${e.id} ${e.event}`)).toEqual(['0.t1s trial.started', '0.t1e1 trial.epoch', '1 trial.finished', '1.end search.finished']);
    expect(got[3].data).toEqual({ status: 'completed' });
    expect(seen).toEqual([undefined, '0.t1e1', '1']);
    expect(reconnects).toHaveLength(2);
  });

  it('stops on a 204 (the id already saw the end)', async () => {
    const { api, seen } = await serve((_req, res, n) => {
      if (n === 1) { sse(res); res.end(ev('3', 'trial.finished', { number: 3 })); } else { res.writeHead(204).end(); }
    });
    const { got } = await follow(api);
    expect(got.map((e) => e.event)).toEqual(['trial.finished']);
    expect(seen).toEqual([undefined, '3']);
  });

  it("reports a 4xx at once with the API's message", async () => {
    const { api, seen } = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: "search 's1' not found" } }));
    });
    const err = await follow(api).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, code: 'NOT_FOUND', message: "search 's1' not found" });
    expect(seen).toHaveLength(1);
  });

  it('gives up after maxReconnects attempts that bring nothing', async () => {
    const { api, seen } = await serve((_req, res) => { res.writeHead(503).end('busy'); });
    const err = await follow(api, { maxReconnects: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as Error).message).toMatch(/lost the event stream of search s1: busy/);
    expect(seen).toHaveLength(4);
  });
});
