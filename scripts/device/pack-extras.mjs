// What travels to the device beside node_modules (scripts/device/pack.mjs): the running node binary,
// the Fashion-MNIST files, a Redis server (the service queues trials in Redis even on SQLite, and
// the device has none), the Vulkan/GL loaders the webgpu backend needs there, the generated Prisma
// clients (git-ignored, so the device's copy of the tree lacks them) and the sharp stub.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

const LIBS = '/usr/lib/x86_64-linux-gnu';

/** The node binary without its symbol tables (99 → 86 MB; addons still link: .dynsym stays). */
export function stageNode(stage) {
  const dest = path.join(stage, 'node', 'bin', 'node');
  mkdirSync(path.dirname(dest), { recursive: true });
  copyFileSync(realpathSync(process.execPath), dest);
  if (spawnSync('strip', [dest]).status !== 0) console.log('strip not found: node travels with its debug symbols');
  return dest;
}

/**
 * The IDX files decompressed: xz packs the raw images tighter than gzip already has (22.6 MB
 * against 26.4 for the training images), and run.sh gzips them back in a second there, because
 * the service and PyTorch's loader read the .gz names.
 */
export function stageData(stage, dir, withTest) {
  const names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', ...(withTest ? ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] : [])];
  const out = path.join(stage, 'fashion-mnist');
  mkdirSync(out, { recursive: true });
  for (const name of names) {
    const gz = path.join(dir, `${name}.gz`);
    if (!existsSync(gz)) throw new Error(`${gz} not found (Debian: apt-get install dataset-fashion-mnist, or DATASET_DIR)`);
    writeFileSync(path.join(out, name), gunzipSync(readFileSync(gz)));
  }
  return names;
}

/**
 * The shared libraries `binary` links beyond what every Debian or Ubuntu base image has (glibc, the
 * C++ runtime, and OpenSSL, systemd's library and theirs, which apt itself needs): packing those
 * too would cost 3 MB of the budget. run.sh names any that the device lacks.
 */
function linkedLibs(binary) {
  const base = /^(linux-vdso|libc|libm|libdl|libpthread|librt|ld-linux-x86-64|libstdc\+\+|libgcc_s|libssl|libcrypto|libsystemd|libcap|libgcrypt|liblzma|libzstd|liblz4|libgpg-error)\.so/;
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  return [...out.matchAll(/^\s*(\S+) => (\/\S+)/gm)].filter(([, name]) => !base.test(name)).map(([, name, file]) => ({ name, file }));
}

/** Debian's redis-server and the uncommon libraries it links (jemalloc, lzf, atomic), run there with LD_LIBRARY_PATH. */
export function stageRedis(stage) {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!which) throw new Error('redis-server not found (Debian: apt-get install redis-server): the notebook search needs it on the device');
  const bin = realpathSync(which);
  mkdirSync(path.join(stage, 'redis', 'bin'), { recursive: true });
  mkdirSync(path.join(stage, 'redis', 'lib'), { recursive: true });
  copyFileSync(bin, path.join(stage, 'redis', 'bin', 'redis-server'));
  const libs = linkedLibs(bin);
  for (const { name, file } of libs) copyFileSync(realpathSync(file), path.join(stage, 'redis', 'lib', name));
  return libs.map((l) => l.name);
}

/**
 * The Vulkan loader and the GL dispatch libraries: Dawn opens libvulkan.so.1, and NVIDIA's Vulkan
 * driver (in the device's /usr/local/nvidia) links glvnd's libraries; the device image has none of
 * them (device README). libvulkan1 comes from Debian's archive when it is not installed here.
 */
export function stageGl(stage) {
  const out = path.join(stage, 'gl', 'lib');
  mkdirSync(out, { recursive: true });
  let vulkan = path.join(LIBS, 'libvulkan.so.1');
  let tmp;
  if (!existsSync(vulkan)) {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pack-vulkan-'));
    const got = spawnSync('sh', ['-c', 'apt-get download libvulkan1 && dpkg -x libvulkan1_*.deb x'], { cwd: tmp, stdio: 'ignore' });
    vulkan = path.join(tmp, 'x', LIBS.slice(1), 'libvulkan.so.1');
    if (got.status !== 0 || !existsSync(vulkan)) throw new Error('libvulkan.so.1 not found and apt-get download libvulkan1 failed (or leave out --with-webgpu)');
  }
  const names = ['libvulkan.so.1', 'libGLdispatch.so.0', 'libGLX.so.0', 'libEGL.so.1', 'libOpenGL.so.0', 'libGL.so.1', 'libGLESv2.so.2'];
  for (const name of names) {
    const from = name === 'libvulkan.so.1' ? vulkan : path.join(LIBS, name);
    if (!existsSync(from)) throw new Error(`${from} not found (Debian: libglvnd0 libgl1 libegl1 libgles2 libopengl0 libglx0)`);
    copyFileSync(realpathSync(from), path.join(out, name));
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  return names;
}

/** src/generated/{sqlite,postgres}: both clients are imported at start (src/store/prisma-client.ts). */
export function stageGenerated(stage, root) {
  const from = path.join(root, 'src', 'generated');
  for (const client of ['sqlite', 'postgres']) {
    if (!existsSync(path.join(from, client, 'client.ts'))) throw new Error(`${from}/${client} missing: run npm run prisma:generate first`);
  }
  const copy = (rel) => {
    for (const entry of readdirSync(path.join(from, rel), { withFileTypes: true })) {
      const file = path.join(rel, entry.name);
      if (entry.isDirectory()) copy(file);
      else {
        mkdirSync(path.join(stage, 'src', 'generated', rel), { recursive: true });
        copyFileSync(path.join(from, file), path.join(stage, 'src', 'generated', file));
      }
    }
  };
  copy('');
}

/** sharp's stand-in: importable, so the API starts; any use says why it is missing. */
export function stageSharpStub(stage) {
  const dir = path.join(stage, 'node_modules', 'sharp');
  mkdirSync(dir, { recursive: true });
  const why = 'sharp is not in the device pack (scripts/device/pack.mjs): image decoding is not part of the device run';
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'sharp', version: '0.0.0-device-stub', exports: { import: './index.mjs', require: './index.cjs' } }, null, 2)}\n`);
  writeFileSync(path.join(dir, 'index.cjs'), `function sharp() { throw new Error(${JSON.stringify(why)}); }\nmodule.exports = sharp;\nmodule.exports.default = sharp;\n`);
  writeFileSync(path.join(dir, 'index.mjs'), `export default function sharp() { throw new Error(${JSON.stringify(why)}); }\n`);
}
