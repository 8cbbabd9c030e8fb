// Which node_modules files the device run needs (scripts/device/pack.mjs). The device has no npm
// and a 64 MiB budget, so the set is found from what the run really imports, not from package.json:
// esbuild follows every static import (and import('literal')) of the run's entry points, and each
// package it reaches travels whole, minus what is never loaded at run time (docs, tests, types,
// source maps, C sources, other platforms' binaries). The tools the run starts as programs (tsx,
// vitest) are not bundled code, so their packages come by their package.json dependencies instead.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** The run's entry points (COMMON-12 steps); missing ones (code not written yet) are left out. */
export const ENTRIES = [
  'workers/start-all.ts', 'workers/trial-worker.ts', 'workers/trial-child.ts', 'workers/probe-child.ts',
  'bench/train.ts', 'bench/train-child.ts', 'bench/gpu-concurrency.ts', 'bench/notebook-search.ts',
  'test/training/backend-availability.ts', 'src/training/cuda/index.ts',
];
/** Programs the run starts: their whole dependency trees travel. */
export const TOOLS = ['tsx', 'vitest'];
/** Loaded by computed path, so esbuild cannot see them. */
export const DYNAMIC = ['webgpu'];
/** Files the dashboard serves from node_modules by path (src/routes/dashboard.ts): those files alone. */
export const SERVED = { echarts: ['package.json', 'dist/echarts.min.js'], 'eventsource-parser': ['package.json', 'dist/index.js'] };

/**
 * Packages never loaded by the run, with why. sharp is imported at the API's start (image
 * prediction) but only decodes images, which the run never sends: a stub stands in for its
 * 19 MB libvips (pack-extras.mjs).
 */
export const LEFT_OUT = {
  sharp: 'stub: image decoding is not part of the device run',
  lightningcss: 'CSS only: vite imports it lazily',
  fsevents: 'macOS only',
};

/**
 * Files no run loads: docs, tests, types, maps, C/C++ sources and build leftovers. The folders only
 * at a package's top: deeper, such names can be code (yaml's dist/doc/ is its document model); and
 * not deps/, which is code in @fastify/busboy (the dry run found it missing once).
 */
const JUNK_DIRS = new Set(['test', 'tests', '__tests__', 'docs', 'doc', 'example', 'examples', 'benchmark', 'benchmarks', '.github', 'coverage', 'man']);
const JUNK_FILE = /(\.map|\.d\.[cm]?ts|\.tsx?|\.md|\.markdown|\.c|\.cc|\.cpp|\.h|\.hpp|\.gypi?|\.o|\.a|\.tsbuildinfo|\.flow)$|^(changelog|history|readme|contributing|authors)(\.|$)|^(tsconfig.*\.json|\.npmignore|\.eslintrc.*|\.prettierrc.*|\.editorconfig|\.travis\.yml|makefile|binding\.gyp)$/i;
/** Prebuilt binaries of another platform, inside a package (webgpu/dist/<platform>). */
const OTHER_PLATFORM = /(^|[/-])(darwin|win32|linux-arm64|linux-arm|linux-ia32|linux-ppc64|linux-s390x|linux-riscv64|freebsd|android|openbsd|sunos|aix|musl)([-/.]|$)/i;

/**
 * Package-specific keeps for the heavy ones, each checked against what Node resolves:
 * tfjs' node entries are single CommonJS files (dist/*.node.js), and the wasm backend reads its
 * binaries from dist/ (the emscripten glue and thread workers from wasm-out/); Prisma's generated client loads
 * runtime/client and, for SQLite, one query compiler (the PostgreSQL one loads only on
 * PostgreSQL); better-sqlite3 needs its addon, not the 9 MB of SQLite sources it was built from.
 */
const KEEP = [
  ...Object.entries(SERVED).map(([name, files]) => [new RegExp(`^${name}$`), (f) => files.includes(f)]),
  [/^@tensorflow\/[^/]+$/, (f) => f === 'package.json' || /^dist\/[^/]+\.(node\.js|wasm)$/.test(f) || /^wasm-out\/[^/]+\.(js|wasm)$/.test(f)],
  [/^@prisma\/client$/, (f) => !f.startsWith('runtime/') || /^runtime\/(client|query_compiler_fast_bg\.sqlite(\.wasm-base64)?)\.m?js$/.test(f)],
  [/^better-sqlite3$/, (f) => !f.startsWith('deps/') && (!f.startsWith('build/') || f === 'build/Release/better_sqlite3.node')],
];

/** Whether `file` (relative to its package) is loaded at run time: the pruning rule, tested alone. */
export function keepFile(pkg, file) {
  const special = KEEP.find(([re]) => re.test(pkg));
  if (special && !special[1](file)) return false;
  const parts = file.split('/');
  if (parts.length > 1 && JUNK_DIRS.has(parts[0].toLowerCase())) return false;
  if (JUNK_FILE.test(parts.at(-1))) return false;
  // The platform rule reads only folders: a file name like 'darwin.js' is code for every platform.
  if (parts.length > 1 && OTHER_PLATFORM.test(parts.slice(0, -1).join('/'))) return false;
  return true;
}

/** A package's name from a path under node_modules ('@scope/name' or 'name'). */
export function packageName(relUnderModules) {
  const parts = relUnderModules.split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** The directory of `name` as Node resolves it from `fromDir` (its own node_modules, then each parent's). */
function resolvePackage(name, fromDir, modulesRoot) {
  const top = path.dirname(modulesRoot);
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.basename(dir) === 'node_modules' ? path.join(dir, name) : path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === top || dir === path.dirname(dir)) return undefined;
  }
}

/** The package directory holding `file` (the innermost node_modules/<name> above it). */
function packageDirOf(file) {
  const m = file.match(/^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)/);
  return m?.[1];
}

/** The package directories esbuild reaches from `entries`, plus the tools' dependency trees. */
export async function neededPackages(root, entries = ENTRIES, tools = [...TOOLS, ...DYNAMIC]) {
  const modulesRoot = realpathSync(path.join(root, 'node_modules'));
  const { build } = await import(path.join(modulesRoot, 'esbuild', 'lib', 'main.js'));
  const present = entries.filter((e) => existsSync(path.join(root, e)));
  const result = await build({
    entryPoints: present.map((e) => path.join(root, e)), absWorkingDir: root, bundle: true, platform: 'node', format: 'esm',
    write: false, metafile: true, outdir: path.join(root, '.pack-unused'), logLevel: 'silent', external: ['vitest', 'vitest/*'],
  });
  const dirs = new Set();
  for (const input of Object.keys(result.metafile.inputs)) {
    const dir = packageDirOf(realpathSync(path.resolve(root, input)));
    if (dir) dirs.add(dir);
  }
  for (const name of Object.keys(SERVED)) {
    const dir = resolvePackage(name, modulesRoot, modulesRoot);
    if (dir) dirs.add(dir);
  }
  const visited = new Set();
  const queue = tools.map((t) => resolvePackage(t, modulesRoot, modulesRoot)).filter(Boolean);
  while (queue.length) {
    const dir = queue.pop();
    if (visited.has(dir)) continue;
    visited.add(dir);
    dirs.add(dir);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const found = !(dep in LEFT_OUT) && resolvePackage(dep, dir, modulesRoot);
      if (found) queue.push(found);
    }
  }
  const packages = [...dirs].map((dir) => {
    const rel = path.relative(modulesRoot, dir);
    return { dir, rel, name: packageName(rel.split('/node_modules/').pop()) };
  });
  // Another platform's binary package is never installed here, except by --force: skip it anyway.
  return { modulesRoot, entries: present, packages: packages.filter((p) => !(p.name in LEFT_OUT) && !OTHER_PLATFORM.test(p.name)) };
}

/** Every file of `pkgDir` that keepFile keeps, relative to the package (nested node_modules are packages of their own). */
export function packageFiles(pkgDir, pkg) {
  const files = [];
  const walk = (rel) => {
    for (const entry of readdirSync(path.join(pkgDir, rel), { withFileTypes: true })) {
      const file = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(file);
      } else if ((entry.isFile() || (entry.isSymbolicLink() && statSync(path.join(pkgDir, file)).isFile())) && keepFile(pkg, file)) {
        files.push(file);
      }
    }
  };
  walk('');
  return files;
}
