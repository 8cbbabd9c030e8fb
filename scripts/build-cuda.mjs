#!/usr/bin/env node
// Builds the CUDA addon behind the 'cuda' training backend:
// native-cuda/build/Release/hypertune_cuda.node. Runs from postinstall, so a host without CUDA
// still installs: when nvcc (CUDA >= 12), cuBLAS, cuDNN 9, a C++ compiler or Node's headers are
// missing it prints one line saying what and exits 0 (1 with --strict or when
// HYPERTUNE_REQUIRE_BACKENDS names 'cuda': CI and the device run want to know).
//
// `--compile-only` compiles every native-cuda/src/*.cu for sm_90 into object files and stops: no
// cuBLAS, cuDNN or Node headers needed, so any machine with nvcc checks the kernels compile.
//
// No node-gyp: nvcc compiles the kernels, g++ the Node-API side, g++ links. The H200 image has
// no Node headers package and node-gyp would want them plus common.gypi; g++ needs only node_api.h.
// Architectures: HYPERTUNE_CUDA_ARCHS (default "90": Hopper machine code plus its PTX, which newer
// GPUs JIT-compile; "80;90" adds Ampere).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCudaStack, findNodeHeaders, findNvcc, which } from '../native-cuda/find-cuda.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ADDON = join(ROOT, 'native-cuda');
const SRC = join(ADDON, 'src');
const BUILD = join(ADDON, 'build');
const OUTPUT = join(BUILD, 'Release', 'hypertune_cuda.node');
const compileOnly = process.argv.includes('--compile-only');
const strict = process.argv.includes('--strict') || /\bcuda\b/.test(process.env.HYPERTUNE_REQUIRE_BACKENDS ?? '');

function skip(reason) {
  console.log(`cuda backend not built: ${reason}`);
  process.exit(strict ? 1 : 0);
}

const sources = (ext) => readdirSync(SRC).filter((f) => f.endsWith(ext)).sort().map((f) => join(SRC, f));
const archs = (process.env.HYPERTUNE_CUDA_ARCHS ?? '90').split(/[;, ]+/).filter(Boolean);
/** -gencode per architecture (machine code), plus PTX of the newest for GPUs after it. */
const gencode = (list) => [
  ...list.map((a) => `-gencode=arch=compute_${a},code=sm_${a}`),
  `-gencode=arch=compute_${list[list.length - 1]},code=compute_${list[list.length - 1]}`,
];
const NVCC_FLAGS = ['-std=c++17', '-O3', '-Xcompiler', '-fPIC', '--expt-relaxed-constexpr'];
// Warnings fail the compile-only check (CI, here) but not the full build on a host whose headers
// may deprecate something: a GPU host should get its addon.
const CHECK_FLAGS = ['-Werror', 'all-warnings'];

/** Runs the commands `jobs` at a time; resolves to the failures' outputs. */
async function runAll(commands, jobs) {
  const failures = [];
  let next = 0;
  const worker = async () => {
    while (next < commands.length) {
      const [cmd, args] = commands[next++];
      const result = await new Promise((resolve) => {
        const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d) => { out += d; });
        child.stderr.on('data', (d) => { out += d; });
        child.on('error', (err) => resolve({ code: -1, out: err.message }));
        child.on('close', (code) => resolve({ code, out }));
      });
      if (result.code !== 0) failures.push(`${cmd} ${args.join(' ')}\n${result.out.trim().split('\n').slice(-25).join('\n')}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return failures;
}

const jobs = Number(process.env.HYPERTUNE_BUILD_JOBS ?? os.availableParallelism());
const objDir = join(BUILD, compileOnly ? 'compile-only' : 'obj');
const cuObjects = (kernels) => kernels.map((f) => join(objDir, f.slice(SRC.length + 1).replace(/\.cu$/, '.cu.o')));

if (compileOnly) {
  const found = findNvcc();
  if (!found) skip('no nvcc (CUDA >= 12: set CUDA_HOME or put nvcc on PATH)');
  if (found.major < 12) skip(`CUDA >= 12 needed (nvcc ${found.major}.${found.minor} at ${found.nvcc})`);
  rmSync(objDir, { recursive: true, force: true });
  mkdirSync(objDir, { recursive: true });
  const kernels = sources('.cu');
  const objects = cuObjects(kernels);
  // -arch=sm_90: the Hopper target, as HOPPER.md advises (machine code, no PTX-only build).
  const failures = await runAll(kernels.map((f, i) => [found.nvcc, [...NVCC_FLAGS, ...CHECK_FLAGS, '-arch=sm_90', '-c', f, '-o', objects[i]]]), jobs);
  if (failures.length > 0) {
    console.error(failures.join('\n\n'));
    console.log(`cuda kernels failed to compile: ${failures.length} of ${kernels.length} files`);
    process.exit(1); // compile-only is a check: a failure is always an error
  }
  console.log(`cuda kernels compiled for sm_90 with nvcc ${found.major}.${found.minor}: ${kernels.length} files`);
  process.exit(0);
}

const stack = findCudaStack();
if (stack.missing) skip(`missing ${stack.missing.join(', ')}`);
const cxx = process.env.CXX ?? which('g++') ?? which('c++');
if (!cxx) skip('no C++ compiler (install g++)');
const nodeHeaders = findNodeHeaders();
if (!nodeHeaders) skip(`no Node-API headers (node_api.h) next to ${process.execPath} or in /usr/include/node (set NODE_HEADERS_DIR)`);
let addonApiDir; // napi.h sits next to node-addon-api's index.js
try {
  addonApiDir = dirname(createRequire(join(ROOT, 'package.json')).resolve('node-addon-api'));
} catch {
  skip('node-addon-api is not installed (npm install)');
}

rmSync(BUILD, { recursive: true, force: true });
mkdirSync(objDir, { recursive: true });
mkdirSync(dirname(OUTPUT), { recursive: true });
const includes = [SRC, ...stack.includes].map((d) => `-I${d}`);
const kernels = sources('.cu');
const hosts = sources('.cc');
const objects = [...cuObjects(kernels), ...hosts.map((f) => join(objDir, f.slice(SRC.length + 1).replace(/\.cc$/, '.o')))];
const commands = [
  ...kernels.map((f, i) => [stack.nvcc.nvcc, [...NVCC_FLAGS, ...gencode(archs), ...includes, '-c', f, '-o', objects[i]]]),
  ...hosts.map((f, i) => [cxx, [
    '-std=c++17', '-O2', '-fPIC', '-fexceptions', '-Wall',
    '-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS', '-DNODE_ADDON_API_CPP_EXCEPTIONS_ALL', '-DNODE_ADDON_API_DISABLE_DEPRECATED',
    `-I${nodeHeaders}`, `-I${addonApiDir}`, ...includes, '-c', f, '-o', objects[kernels.length + i],
  ]]),
];
const failures = await runAll(commands, jobs);
if (failures.length > 0) {
  console.error(failures.join('\n\n'));
  skip(`${failures.length} of ${commands.length} files failed to compile; output above`);
}
// Libraries by file path (wheels ship no unversioned .so); rpath so the addon finds them at run time.
const link = spawnSync(cxx, [
  // napi_* stay undefined: the node binary provides them when it loads the addon. DT_RPATH (not
  // RUNPATH) so the folders also serve the libraries' own dependencies (libcublas -> libcublasLt).
  '-shared', '-o', OUTPUT, ...objects, ...stack.libs, '-Wl,--disable-new-dtags', ...stack.rpath.map((d) => `-Wl,-rpath,${d}`),
], { encoding: 'utf8' });
if (link.status !== 0) {
  console.error(`${link.stdout}${link.stderr}`.trim().split('\n').slice(-30).join('\n'));
  skip(`linking failed (exit ${link.status}); output above`);
}
if (!existsSync(OUTPUT)) skip('the linker wrote no addon');
console.log(`cuda backend built: ${join('native-cuda', 'build', 'Release', 'hypertune_cuda.node')} (nvcc ${stack.nvcc.major}.${stack.nvcc.minor}, sm_${archs.join('/sm_')}; libraries: ${stack.libs.join(', ')})`);
