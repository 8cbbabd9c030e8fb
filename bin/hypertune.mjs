#!/usr/bin/env node
// The `hypertune` command: registers tsx so the TypeScript sources run as they are, then hands
// argv to src/cli/main.ts and exits with the code it returns.
import { register } from 'tsx/esm/api';

// `hypertune trials … | head`: the reader left; stop quietly, as Unix tools do.
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); else throw err; });
register();
const { main } = await import(new URL('../src/cli/main.ts', import.meta.url).href);
const code = await main(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env });
// exitCode rather than exit(): stdout may still be flushing into a pipe.
process.exitCode = code;
