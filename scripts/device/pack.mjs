#!/usr/bin/env node
// npm run device:pack -- [--out device-pack] [--level 9e] [--with-webgpu] [--with-test-images] [--keep-stage]
// Builds device-pack/hypertune-device.tar.xz: what the GPU device run (scripts/device/run.sh) needs
// and the device lacks, since it has no Node, no npm and no network. The repo itself is not packed:
// the device tool copies the working tree, and this tarball travels with it as a carried
// (git-ignored) folder, so tarball + the tree that travels must stay within the tool's 64 MiB.
// Layout inside: node/bin/node, node_modules/, src/generated/, fashion-mnist/, redis/, gl/lib/,
// MANIFEST.json. --level: xz's preset, 9e by default; a lower one packs a test tarball faster
// (0: seconds of CPU instead of minutes), larger, so its budget check is only a bound. The 10,000
// test images (3.8 MB packed) travel only with --with-test-images: with them the default pack
// measured 65.33 MiB of 64 (2026-12-05), so the notebook step scores on validation alone.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { LEFT_OUT, neededPackages, packageFiles } from './pack-modules.mjs';
import { stageData, stageGenerated, stageGl, stageNode, stageRedis, stageSharpStub } from './pack-extras.mjs';

export const BUDGET_BYTES = 64 * 1024 * 1024;
export const TARBALL = 'hypertune-device.tar.xz';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MiB = (b) => `${(b / 1024 / 1024).toFixed(2)} MiB`;

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: 'device-pack' },
    level: { type: 'string', default: '9e' },
    'with-webgpu': { type: 'boolean', default: false },
    'with-test-images': { type: 'boolean', default: false },
    'keep-stage': { type: 'boolean', default: false },
    'dataset-dir': { type: 'string', default: process.env.DATASET_DIR ?? '/usr/share/datasets/fashion-mnist' },
  },
});
const out = path.resolve(root, args.out);
const stage = path.join(out, 'stage');
const tarball = path.join(out, TARBALL);

/** Bytes of what the device tool sends besides the carried folder: tracked and untracked-not-ignored files. */
export function travellingTreeBytes(dir) {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: dir, encoding: 'utf8' }).split('\0').filter(Boolean);
  return files.reduce((sum, f) => {
    try { return sum + statSync(path.join(dir, f)).size; } catch { return sum; } // deleted but still tracked
  }, 0);
}

/** Bytes under `dir`, counting a hard-linked file once (tar stores it once). */
function treeBytes(dir) {
  const out = execFileSync('du', ['-sb', dir], { encoding: 'utf8' });
  return Number(out.split('\t')[0]);
}

function linkOrCopy(from, to) {
  mkdirSync(path.dirname(to), { recursive: true });
  try { linkSync(from, to); } catch { copyFileSync(from, to); } // another filesystem: copy
}

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
const started = Date.now();
const parts = {};

// node_modules: hard links into the stage (the 300 MB of modules are not copied; tar stores each once).
const { modulesRoot, entries, packages } = await neededPackages(root);
const versions = {};
for (const pkg of packages) {
  for (const file of packageFiles(pkg.dir, pkg.name)) linkOrCopy(path.join(pkg.dir, file), path.join(stage, 'node_modules', pkg.rel, file));
  versions[pkg.rel] = JSON.parse(readFileSync(path.join(pkg.dir, 'package.json'), 'utf8')).version;
}
stageSharpStub(stage);
// webgpu's dawn.node is 21.5 MB (4.9 MB packed, with the loaders 5.2): more than the budget has
// left beside node (~22 MB packed), the data (~26) and the rest, so it travels only when asked.
if (!args['with-webgpu']) rmSync(path.join(stage, 'node_modules', 'webgpu'), { recursive: true, force: true });
else parts.gl = (stageGl(stage), treeBytes(path.join(stage, 'gl')));
parts.node_modules = treeBytes(path.join(stage, 'node_modules'));
stageNode(stage);
parts.node = treeBytes(path.join(stage, 'node'));
const data = stageData(stage, args['dataset-dir'], args['with-test-images']);
parts['fashion-mnist'] = treeBytes(path.join(stage, 'fashion-mnist'));
const redisLibs = stageRedis(stage);
parts.redis = treeBytes(path.join(stage, 'redis'));
stageGenerated(stage, root);
parts['src/generated'] = treeBytes(path.join(stage, 'src'));

const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
writeFileSync(path.join(stage, 'MANIFEST.json'), `${JSON.stringify({
  made: new Date().toISOString(), commit, node: process.version, platform: `${process.platform}-${process.arch}`,
  entries, packages: versions, leftOut: LEFT_OUT, webgpu: args['with-webgpu'], data, redisLibs,
}, null, 1)}\n`);

// GNU tar, names sorted and owners zeroed so two packs of the same tree differ only in MANIFEST's date.
rmSync(tarball, { force: true });
if (!/^[0-9]e?$/.test(args.level)) throw new Error(`--level must be an xz preset (0-9, e.g. 9e), got ${args.level}`);
const xz = `-${args.level}`;
const tar = spawnSync('sh', ['-c', `tar --create --sort=name --owner=0 --group=0 --numeric-owner -C "${stage}" . | xz ${xz} -T2 > "${tarball}"`], { stdio: 'inherit' });
if (tar.status !== 0) throw new Error(`tar | xz failed (${tar.status})`);
if (!args['keep-stage']) rmSync(stage, { recursive: true, force: true });

const packed = statSync(tarball).size;
const tree = travellingTreeBytes(root);
console.log(`uncompressed: ${Object.entries(parts).map(([k, b]) => `${k} ${MiB(b)}`).join(', ')}; ${packages.length} packages`);
console.log(`${path.relative(root, tarball)}: ${MiB(packed)} (xz ${xz}) + the travelling tree ${MiB(tree)} = ${MiB(packed + tree)} of ${MiB(BUDGET_BYTES)}, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (packed + tree > BUDGET_BYTES) {
  console.error(`OVER BUDGET by ${MiB(packed + tree - BUDGET_BYTES)}: leave out --with-webgpu and --with-test-images, or prune more (scripts/device/pack-modules.mjs)`);
  process.exit(1);
}
