// The cuda addon's build, as far as a machine without a GPU can take it: every kernel compiles
// with nvcc for sm_90 (where nvcc is installed: CI and the development machines), the search
// finds cuBLAS and cuDNN 9 where NVIDIA's Python wheels put them, and a host without them gets
// the one-line reason and a successful install.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build helper without type declarations
import { findCudaStack, findNvcc } from '../../../native-cuda/find-cuda.mjs';
import { requiredBy, requireOrSkip } from '../../helpers/requirements.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SCRIPT = path.join(ROOT, 'scripts', 'build-cuda.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, HYPERTUNE_REQUIRE_BACKENDS: '' } });

const nvcc = findNvcc() as { nvcc: string; major: number } | undefined;
const withNvcc = requireOrSkip('nvcc', nvcc ? undefined : 'no nvcc on PATH, in CUDA_HOME or /usr/local/cuda*', requiredBy('TOOLS', 'nvcc'));

if (withNvcc) {
  it('compiles every kernel for sm_90 (--compile-only)', () => {
    const result = run('--compile-only');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^cuda kernels compiled for sm_90 with nvcc \d+\.\d+: \d+ files\n$/);
  }, 900_000); // 1-2 minutes on 2 idle cores; ~9 minutes was seen on a loaded pair
}

describe('finding the CUDA libraries', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cuda-wheels-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A PyTorch venv's layout: CUDA 13 wheels under nvidia/cu13, cuDNN under nvidia/cudnn, versioned libraries only. */
  function fakeWheels(cudnnMajor: number): string {
    const root = path.join(dir, `venv-${cudnnMajor}`);
    const nvidia = path.join(root, 'lib', 'python3.12', 'site-packages', 'nvidia');
    const files: Record<string, string> = {
      'cu13/include/cublas_v2.h': '', 'cu13/include/cublasLt.h': '', 'cu13/include/cuda_runtime_api.h': '',
      'cu13/lib/libcublas.so.13': '', 'cu13/lib/libcublasLt.so.13': '', 'cu13/lib/libcudart.so.13': '',
      'cudnn/include/cudnn.h': '', 'cudnn/include/cudnn_version.h': `#define CUDNN_MAJOR ${cudnnMajor}\n`,
      'cudnn/lib/libcudnn.so.9': '', 'cudnn/lib/libcudnn.so.9.10.2': '',
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(nvidia, file)), { recursive: true });
      writeFileSync(path.join(nvidia, file), text);
    }
    return root;
  }

  if (withNvcc) {
    it('finds cuBLAS and cuDNN 9 in a Python venv, linking the versioned files with their folders as rpath', () => {
      const root = fakeWheels(9);
      const nvidia = path.join(root, 'lib', 'python3.12', 'site-packages', 'nvidia');
      const stack = findCudaStack({ ...process.env, CUDA_WHEELS_DIR: root });
      expect(stack.missing).toBeUndefined();
      expect(stack.libs).toEqual(expect.arrayContaining([
        path.join(nvidia, 'cu13', 'lib', 'libcublas.so.13'), path.join(nvidia, 'cu13', 'lib', 'libcublasLt.so.13'),
        path.join(nvidia, 'cudnn', 'lib', 'libcudnn.so.9'),
      ]));
      expect(stack.rpath).toEqual(expect.arrayContaining([path.join(nvidia, 'cu13', 'lib'), path.join(nvidia, 'cudnn', 'lib')]));
    });

    it('refuses a cuDNN other than 9', () => {
      const stack = findCudaStack({ ...process.env, CUDA_WHEELS_DIR: fakeWheels(8) });
      expect(stack.missing.join('; ')).toMatch(/cuDNN 9 \(found cuDNN 8 at /);
    });
  }

  it('says in one line what is missing, and fails only when strict', () => {
    const env = { ...process.env, PATH: '/nonexistent', CUDA_HOME: path.join(dir, 'no-cuda') };
    const plain = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { ...env, HYPERTUNE_REQUIRE_BACKENDS: '' } });
    const strict = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { ...env, HYPERTUNE_REQUIRE_BACKENDS: 'native,cuda' } });
    // /usr/local/cuda* is searched too: with a toolkit there, what is missing is cuBLAS/cuDNN instead.
    expect(plain.stdout).toMatch(/^cuda backend not built: missing [^\n]+\n$/);
    expect(plain.status).toBe(0);
    expect(strict.stdout).toBe(plain.stdout);
    expect(strict.status).toBe(1);
  });
});
