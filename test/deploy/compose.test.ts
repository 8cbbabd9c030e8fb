// docker-compose.yml is checked without a Docker engine (none runs in CI): Debian's docker-compose
// validates and resolves it. Skipped where docker-compose is missing, unless CI requires it.
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { requiredBy, requireOrSkip } from '../helpers/requirements.js';

const available = requireOrSkip('docker-compose', spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0
  ? undefined : 'it is not installed (Debian: apt-get install docker-compose)', requiredBy('TOOLS', 'docker-compose'));
const compose = (...args: string[]) => execFileSync('docker-compose', ['-f', 'docker-compose.yml', ...args], {
  encoding: 'utf8', env: { ...process.env, ADMIN_API_KEY: '' },
});

describe.skipIf(!available)('docker-compose.yml', () => {
  it('is valid and names every service', () => {
    expect(() => compose('config', '-q')).not.toThrow();
    expect(compose('--profile', 'gpu', 'config', '--services').trim().split('\n').sort()).toEqual(['api', 'postgres', 'redis', 'scheduler', 'worker', 'worker-gpu']);
  });

  it('gives the GPU worker the tensorflow backend and an NVIDIA device, and the admin key only to the API', () => {
    const config = compose('--profile', 'gpu', 'config');
    const service = (name: string) => config.split(/\n  (?=\S)/).find((s) => s.startsWith(`${name}:`)) ?? '';
    expect(service('worker-gpu')).toMatch(/TRAINING_BACKEND: tensorflow/);
    expect(service('worker-gpu')).toMatch(/driver: nvidia/);
    expect(service('worker-gpu')).toMatch(/dockerfile: Dockerfile\.gpu/);
    expect(service('worker-gpu')).toMatch(/profiles:\s*\n\s*- gpu/); // `docker compose up` without a GPU leaves it out
    expect(service('api')).toMatch(/ADMIN_API_KEY/);
    expect(service('worker')).not.toMatch(/ADMIN_API_KEY/);
    expect(service('scheduler')).toMatch(/npm[\s\S]*run[\s\S]*scheduler/);
    expect(service('scheduler')).not.toMatch(/ADMIN_API_KEY/);
  });
});
