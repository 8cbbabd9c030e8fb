#!/usr/bin/env node
// Builds the oneDNN addon behind the 'native' training backend into native/build/Release/.
// Runs from postinstall, so a host without the toolchain still installs: when the compiler,
// node-gyp, Node's headers or libdnnl (Debian: libdnnl-dev) are missing it prints one line saying
// why and exits 0. A failed compile also exits 0 unless HYPERTUNE_REQUIRE_BACKENDS names
// 'native' or --strict is given (CI wants to know).
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NATIVE = join(ROOT, 'native');
const strict = process.argv.includes('--strict') || /\bnative\b/.test(process.env.HYPERTUNE_REQUIRE_BACKENDS ?? '');

function skip(reason) {
  console.log(`native backend not built: ${reason}`);
  process.exit(strict ? 1 : 0);
}

const which = (cmd) => (process.env.PATH ?? '').split(delimiter).map((d) => join(d, cmd)).find((p) => existsSync(p));

/** npm's bundled node-gyp: npm sets npm_config_node_gyp in scripts; otherwise next to the npm on PATH. */
function nodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  const npm = which('npm');
  if (npm) candidates.push(join(dirname(realpathSync(npm)), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((p) => p && existsSync(p));
}

/** A --nodedir holding include/node/node_api.h and common.gypi, so node-gyp downloads nothing. */
function nodeDir() {
  const candidates = [join(dirname(process.execPath), '..'), '/usr', '/usr/local'];
  return candidates.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')) && existsSync(join(d, 'include', 'node', 'common.gypi')));
}

const resolve = (cmd) => (cmd.includes('/') ? (existsSync(cmd) ? cmd : undefined) : which(cmd));
const cxx = process.env.CXX ? resolve(process.env.CXX) : which('g++') ?? which('c++') ?? which('clang++');
if (!cxx) skip(`no C++ compiler${process.env.CXX ? ` (CXX=${process.env.CXX} not found)` : ' (install g++)'}`);
if (!which('make')) skip('no make (install make)');
const gyp = nodeGyp();
if (!gyp) skip("npm's node-gyp not found (set npm_config_node_gyp)");
const nodedir = nodeDir();
if (!nodedir) skip(`no Node headers with common.gypi next to ${process.execPath} (Debian: libnode-dev)`);
try {
  createRequire(join(ROOT, 'package.json')).resolve('node-addon-api');
} catch {
  skip('node-addon-api is not installed (npm install)');
}
const probe = spawnSync(cxx, ['-std=c++17', '-x', 'c++', '-', '-ldnnl', '-o', '/dev/null'], {
  input: '#include <oneapi/dnnl/dnnl.hpp>\nint main() { return dnnl::engine::get_count(dnnl::engine::kind::cpu) > 0 ? 0 : 1; }\n',
  encoding: 'utf8',
});
if (probe.status !== 0) skip('oneDNN 2.x headers or library missing (Debian: apt-get install libdnnl-dev)');

const build = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--jobs=2'], {
  cwd: NATIVE, encoding: 'utf8', env: { ...process.env, CXX: cxx },
});
if (build.status !== 0) {
  const output = `${build.stdout ?? ''}${build.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
  console.error(output);
  skip(`node-gyp failed (exit ${build.status}); output above`);
}
console.log(`native backend built: ${join('native', 'build', 'Release', 'hypertune_native.node')}`);
