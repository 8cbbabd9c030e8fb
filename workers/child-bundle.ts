// The worker's child processes (trial-child.ts, probe-child.ts) run from a JavaScript bundle built
// with esbuild when the worker starts, not as TypeScript through tsx: under tsx a child spent about
// 3.5 s, on a loaded 2-core host, compiling and loading modules before its backend was up. Built at
// every worker start (about 0.1 s), so it never runs stale code; written under a name hashed from
// its content, so workers of the same code share the file and different checkouts never collide.
//
// In the bundle, packages stay outside and load as Node loads them, with two changes:
// - a CommonJS package is loaded with `require`, not `import`: Node's ESM loader pre-parses each
//   CommonJS file it imports for its export names, about a second for tfjs alone;
// - `import.meta.url` keeps naming each source file, not the bundle, so paths found from it (the
//   native addon, Prisma's client, the migrations) are what they are when running from source.
// Packages are resolved when bundling, to absolute paths, so the bundle runs from any folder.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { Logger } from '../src/logger.js';

/** How to start a child: the file to fork and Node's flags for it. */
export interface ChildScript {
  file: string;
  execArgv: string[];
  /** Whether `file` is a bundle (false: TypeScript through tsx). */
  bundled: boolean;
  /** Called before each fork: puts the bundle back if something (a tmp cleaner) removed it. */
  ensure(): void;
}

export interface ChildScripts { trial: ChildScript; probe: ChildScript }

const ENTRIES = { trial: 'trial-child', probe: 'probe-child' } as const;
const sourceOf = (name: string) => fileURLToPath(new URL(`./${name}.ts`, import.meta.url));

// tsx is passed explicitly: the parent may run under a loader that children do not inherit (vitest).
const tsxScript = (name: string): ChildScript => ({ file: sourceOf(name), execArgv: ['--import', 'tsx'], bundled: false, ensure: () => undefined });

/** The children as TypeScript through tsx (TRIAL_CHILD_BUNDLE=false, or the bundle failed). */
export const TSX_CHILDREN: ChildScripts = { trial: tsxScript(ENTRIES.trial), probe: tsxScript(ENTRIES.probe) };

/** Where bundles are written (a folder per user: another's would not be writable); one not used for this long is removed by the next worker start. */
export const DEFAULT_BUNDLE_DIR = path.join(os.tmpdir(), `hypertune-children-${process.getuid?.() ?? 'user'}`);
const UNUSED_MS = 7 * 24 * 3600_000;

/**
 * Bundles the children, or, when `bundle` is false or bundling fails (logged as a warning), the
 * tsx scripts. `dir`: where bundles go (tests).
 */
export async function childScripts(options: { bundle: boolean; log: Logger; dir?: string }): Promise<ChildScripts> {
  if (!options.bundle) return TSX_CHILDREN;
  try {
    return await bundleChildren(options.dir ?? DEFAULT_BUNDLE_DIR);
  } catch (err) {
    options.log.warn({ err }, 'could not bundle the trial child processes; they run through tsx (slower to start)');
    return TSX_CHILDREN;
  }
}

async function bundleChildren(dir: string): Promise<ChildScripts> {
  const result = await build({
    entryPoints: Object.fromEntries(Object.values(ENTRIES).map((name) => [name, sourceOf(name)])),
    bundle: true, platform: 'node', format: 'esm', target: `node${process.versions.node.split('.')[0]}`,
    outdir: dir, outExtension: { '.js': '.mjs' }, write: false, logLevel: 'silent',
    // Class and function names as in the source (bundling renames clashing bindings). The inline
    // source map maps stack traces to the .ts files under NODE_OPTIONS=--enable-source-maps, which
    // is not the default: it slowed each child's start by about 0.1 s (15 %).
    keepNames: true, sourcemap: 'inline', sourcesContent: false,
    // esbuild's stubs for `require` in ESM output call the real one.
    banner: { js: "import { createRequire as __hypertuneCreateRequire } from 'node:module'; const require = __hypertuneCreateRequire(import.meta.url);" },
    plugins: [sourceUrls, nodePackages],
  });
  mkdirSync(dir, { recursive: true });
  removeUnused(dir);
  const scripts = {} as Record<keyof ChildScripts, ChildScript>;
  for (const [key, name] of Object.entries(ENTRIES) as [keyof ChildScripts, string][]) {
    const out = result.outputFiles.find((f) => path.basename(f.path) === `${name}.mjs`);
    if (!out) throw new Error(`esbuild wrote no ${name}.mjs`);
    // The name keeps the entry's: `ps` (and the fault tests) tell a trial's process by it.
    const file = path.join(dir, `${name}-${createHash('sha256').update(out.contents).digest('hex').slice(0, 16)}.mjs`);
    const ensure = () => writeOnce(file, out.contents);
    ensure();
    scripts[key] = { file, execArgv: [], bundled: true, ensure };
  }
  return scripts;
}

/** Writes `file` unless it is there (atomically: another worker may be reading it), else marks it used. */
function writeOnce(file: string, contents: Uint8Array): void {
  if (existsSync(file)) {
    const now = new Date();
    utimesSync(file, now, now);
    return;
  }
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

/** Bundles of older code pile up otherwise (one per change of the sources a worker started with). */
function removeUnused(dir: string): void {
  const before = Date.now() - UNUSED_MS;
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    try {
      if (statSync(file).mtimeMs < before) rmSync(file, { force: true });
    } catch { /* removed by another worker meanwhile */ }
  }
}

/** Each source file's `import.meta.url` stays its own (not the bundle's). */
const sourceUrls: Plugin = {
  name: 'source-urls',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
      loader: 'ts',
    }));
  },
};

/**
 * Packages (bare specifiers) resolved as Node resolves them from the importing file: a CommonJS
 * file becomes a `require` of its absolute path inside the bundle, an ES module an import of its
 * file URL. Node's built-ins stay as they are.
 */
const nodePackages: Plugin = {
  name: 'node-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      const file = createRequire(args.importer).resolve(args.path);
      if (isCommonJs(file)) return { path: file, namespace: 'require' };
      return { path: pathToFileURL(file).href, external: true };
    });
    b.onLoad({ filter: /.*/, namespace: 'require' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
    // The require above is the banner's (Node's), not another package to resolve.
    b.onResolve({ filter: /.*/, namespace: 'require' }, (args) => ({ path: args.path, external: true }));
  },
};

/** As Node decides: .cjs, .json and .node files, and .js files outside a package of "type": "module". */
function isCommonJs(file: string): boolean {
  const ext = path.extname(file);
  if (ext === '.cjs' || ext === '.json' || ext === '.node') return true;
  if (ext !== '.js') return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type !== 'module';
    if (path.dirname(dir) === dir) return true;
  }
}
