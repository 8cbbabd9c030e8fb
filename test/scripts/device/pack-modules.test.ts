// The pack's pruning rule (scripts/device/pack-modules.mjs): what a device run loads stays, what
// no run loads (docs, types, maps, sources, other platforms' binaries) goes.
import { describe, expect, it } from 'vitest';

// The scripts are plain .mjs without declarations: imported by URL, typed as used here.
const mod = new URL('../../../scripts/device/pack-modules.mjs', import.meta.url).href;
const { keepFile, packageName } = (await import(mod)) as {
  keepFile(pkg: string, file: string): boolean;
  packageName(rel: string): string;
};

describe('keepFile', () => {
  it('keeps code, native addons and data files', () => {
    for (const [pkg, file] of [['fastify', 'fastify.js'], ['fastify', 'lib/route.js'], ['pino', 'package.json'], ['ioredis', 'built/index.js'],
      ['better-sqlite3', 'build/Release/better_sqlite3.node'], ['webgpu', 'dist/linux-x64/dawn.node'], ['tsx', 'dist/esm/index.mjs'],
      ['@fastify/swagger-ui', 'static/index.html'], ['some-lib', 'lib/darwin.js'], ['some-lib', 'LICENSE'], ['yaml', 'dist/doc/anchors.js'], ['@fastify/busboy', 'deps/dicer/lib/Dicer.js']]) {
      expect(keepFile(pkg, file), `${pkg}/${file}`).toBe(true);
    }
  });

  it('drops docs, types, maps, tests and sources', () => {
    for (const [pkg, file] of [['fastify', 'README.md'], ['fastify', 'types/index.d.ts'], ['x', 'dist/x.js.map'], ['x', 'test/a.js'],
      ['x', 'docs/guide.html'], ['x', 'CHANGELOG'], ['x', 'src/a.ts'], ['x', 'binding.gyp'], ['x', 'deps/sqlite3/sqlite3.c'], ['better-sqlite3', 'deps/copy.js']]) {
      expect(keepFile(pkg, file), `${pkg}/${file}`).toBe(false);
    }
  });

  it("drops other platforms' binaries inside a package", () => {
    expect(keepFile('webgpu', 'dist/darwin-universal/dawn.node')).toBe(false);
    expect(keepFile('webgpu', 'dist/win32-x64/dawn.node')).toBe(false);
    expect(keepFile('webgpu', 'dist/linux-arm64/dawn.node')).toBe(false);
  });

  it('keeps only the node entries of tfjs and the SQLite query compiler of Prisma', () => {
    expect(keepFile('@tensorflow/tfjs-core', 'dist/tf-core.node.js')).toBe(true);
    expect(keepFile('@tensorflow/tfjs-core', 'dist/tf-core.min.js')).toBe(false);
    expect(keepFile('@tensorflow/tfjs-core', 'dist/ops/add.js')).toBe(false);
    expect(keepFile('@tensorflow/tfjs-backend-wasm', 'wasm-out/tfjs-backend-wasm-simd.wasm')).toBe(true);
    // setWasmPaths points at dist/: the dry run found these missing once.
    expect(keepFile('@tensorflow/tfjs-backend-wasm', 'dist/tfjs-backend-wasm-threaded-simd.wasm')).toBe(true);
    expect(keepFile('@prisma/client', 'runtime/client.js')).toBe(true);
    expect(keepFile('@prisma/client', 'runtime/query_compiler_fast_bg.sqlite.wasm-base64.mjs')).toBe(true);
    expect(keepFile('@prisma/client', 'runtime/query_compiler_fast_bg.mysql.wasm-base64.mjs')).toBe(false);
    expect(keepFile('@prisma/client', 'default.js')).toBe(true);
    expect(keepFile('better-sqlite3', 'build/Release/obj.target/x.o')).toBe(false);
  });
});

describe('packageName', () => {
  it('reads plain and scoped names', () => {
    expect(packageName('fastify/lib/route.js')).toBe('fastify');
    expect(packageName('@prisma/client/runtime/client.js')).toBe('@prisma/client');
  });
});
