// A signal handled while a native kernel runs must not corrupt the process: oneDNN's sgemm did
// (glibc "corrupted size vs. prev_size" within a second or two of SIGUSR2s, or of the V8
// profiler's SIGPROF), so the addon blocks signals on its thread during the GEMMs.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeNative } from './availability.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'matmul-signal-child.ts');

describeNative('native kernels under signals', () => {
  // One OpenMP thread: an inference pool's thread; two: training (signals may land on either thread).
  it.each([1, 2])('survive thousands of signals handled during matrix products (%i OpenMP threads)', async (threads) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, '3000', String(threads)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let sent = 0;
    let flooding = false;
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      out += d;
      if (!flooding && out.includes('ready')) {
        flooding = true;
        // Signals back to back until the child has finished its loop (or died).
        const flood = () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          if (out.includes('done')) { setTimeout(() => child.stdin.end(), 300); return; } // the last signals handled first
          for (let i = 0; i < 50; i++) { if (child.kill('SIGUSR2')) sent++; }
          setImmediate(flood);
        };
        flood();
      }
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    expect({ code, signal, err: err.slice(-300) }).toEqual({ code: 0, signal: null, err: '' });
    expect(out).toMatch(/done [1-9]\d*/);
    expect(sent).toBeGreaterThan(1000);
  }, 60_000);
});
