// What the CLI prints of what it does not control: control characters in names and API messages
// are shown escaped, not sent to the terminal; a directory it cannot write is a message, not a stack.
// A plain HTTP server stands in for the API's responses (the CLI is the unit under test here).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printable } from '../../src/cli/format.js';
import { renderTable } from '../../src/cli/render-table.js';
import { runCli } from './run-cli.js';

const ESC = '\u001b';
let server: Server;
let url: string;
const dir = mkdtempSync(path.join(tmpdir(), 'hypertune-cli-out-'));

beforeAll(async () => {
  const zip = await new JSZip().file('model.json', '{}').file('weights.bin', 'w').generateAsync({ type: 'nodebuffer' });
  server = createServer((req, res) => {
    if (req.url === '/models/m/artifact') { res.writeHead(200, { 'content-type': 'application/zip' }).end(zip); return; }
    res.writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: { code: 'NOT_FOUND', message: `search '${ESC}[2J${ESC}]0;pwned\u0007' not found` } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('CLI output', () => {
  it('escapes control characters in table cells and values', () => {
    expect(printable(`a${ESC}[31mb\u0007\u009b`)).toBe('a\\x1b[31mb\\x07\\x9b');
    expect(printable('naïve — ok')).toBe('naïve — ok');
    expect(renderTable({ headers: ['name'], rows: [[`x${ESC}[2Jy`]] })).toBe('name\n---------\nx\\x1b[2Jy\n');
  });

  it('prints an API error message with its control characters escaped', async () => {
    const res = await runCli(['trials', 'nope', '--url', url]);
    expect(res.code).toBe(1);
    expect(res.stderr).not.toContain(ESC);
    expect(res.stderr).toContain("error: search '\\x1b[2J\\x1b]0;pwned\\x07' not found (HTTP 404 NOT_FOUND)");
  });

  it('says which path it cannot write when exporting, without a stack trace', async () => {
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'x');
    const res = await runCli(['models', 'export', 'm', path.join(file, 'model'), '--url', url]);
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(`error: cannot write ${path.join(file, 'model', 'model.json')}: ENOTDIR`);
    const ok = await runCli(['models', 'export', 'm', path.join(dir, 'model'), '--url', url]);
    expect(ok.code, ok.stderr).toBe(0);
  });
});
