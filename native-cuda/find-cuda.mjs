// Finds what the cuda addon builds against: nvcc (CUDA >= 12), the CUDA runtime, cuBLAS and
// cuDNN 9, and Node-API's headers. Each is looked for where it lives on the hosts we know: a CUDA
// toolkit (CUDA_HOME, nvcc's own folder, /usr/local/cuda*), Debian/Ubuntu's multiarch folders, and
// NVIDIA's Python wheels (`nvidia-cublas`, `nvidia-cudnn`, `nvidia-cuda-runtime`), which is where a
// PyTorch install keeps them (the H200 image: /opt/torch/.venv). Wheels lay their files out
// differently across CUDA majors (nvidia/cublas/lib, nvidia/cu13/lib, ...), so wheel folders are
// searched a few levels deep for the files themselves rather than at fixed paths. Wheels also ship
// only versioned libraries (libcublas.so.13, no libcublas.so), so libraries are returned as file
// paths to link directly, never as -l names.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

const isDir = (p) => { try { return statSync(p).isDirectory(); } catch { return false; } };
const list = (d) => { try { return readdirSync(d); } catch { return []; } };
export const which = (cmd) => (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, cmd)).find((p) => existsSync(p));

/** nvcc and its CUDA version, from CUDA_HOME, PATH or /usr/local/cuda*. */
export function findNvcc(env = process.env) {
  const candidates = [];
  if (env.CUDA_HOME) candidates.push(join(env.CUDA_HOME, 'bin', 'nvcc'));
  const onPath = which('nvcc');
  if (onPath) candidates.push(onPath);
  for (const d of list('/usr/local').filter((n) => /^cuda/.test(n)).sort().reverse()) candidates.push(join('/usr/local', d, 'bin', 'nvcc'));
  for (const nvcc of candidates) {
    if (!existsSync(nvcc)) continue;
    const out = spawnSync(nvcc, ['--version'], { encoding: 'utf8' });
    const m = /release (\d+)\.(\d+)/.exec(out.stdout ?? '');
    if (out.status === 0 && m) return { nvcc, major: Number(m[1]), minor: Number(m[2]) };
  }
  return undefined;
}

/** The toolkit folder of an nvcc (nvcc may be a symlink such as /usr/local/bin/nvcc). */
export function toolkitRoots(nvcc, env = process.env) {
  const roots = [];
  if (env.CUDA_HOME) roots.push(env.CUDA_HOME);
  try {
    roots.push(dirname(dirname(spawnSync('readlink', ['-f', nvcc], { encoding: 'utf8' }).stdout.trim())));
  } catch { /* nvcc not a link */ }
  roots.push(dirname(dirname(nvcc)));
  for (const d of list('/usr/local').filter((n) => /^cuda/.test(n)).sort().reverse()) roots.push(join('/usr/local', d));
  return [...new Set(roots)].filter(isDir);
}

/** Every site-packages/nvidia (or dist-packages/nvidia) folder of the Pythons we know of. */
export function wheelRoots(env = process.env) {
  const prefixes = [env.CUDA_WHEELS_DIR, '/opt/torch/.venv', '/usr/local', '/usr'].filter(Boolean);
  const roots = [];
  for (const prefix of prefixes) {
    if (isDir(join(prefix, 'nvidia'))) roots.push(join(prefix, 'nvidia')); // CUDA_WHEELS_DIR may be site-packages itself
    for (const lib of ['lib', 'lib64']) {
      for (const py of list(join(prefix, lib)).filter((n) => n.startsWith('python3'))) {
        for (const pk of ['site-packages', 'dist-packages']) {
          const nv = join(prefix, lib, py, pk, 'nvidia');
          if (isDir(nv)) roots.push(nv);
        }
      }
    }
  }
  return [...new Set(roots)];
}

/** Folders under `root`, `depth` levels at most (wheel trees are small). */
function walk(root, depth) {
  const out = [root];
  if (depth > 0) for (const n of list(root)) { const p = join(root, n); if (isDir(p)) out.push(...walk(p, depth - 1)); }
  return out;
}

/** The first folder of `dirs` holding `file`. */
const firstWith = (dirs, file) => dirs.find((d) => existsSync(join(d, file)));

/** A library file in `dir`: lib<name>.so if present, else its highest-versioned lib<name>.so.N. */
function libFile(dir, name) {
  const plain = join(dir, `lib${name}.so`);
  if (existsSync(plain)) return plain;
  // The shortest versioned name is the SONAME-like one (libcudnn.so.9 over libcudnn.so.9.1.0).
  const shortest = list(dir).filter((n) => n.startsWith(`lib${name}.so.`)).sort((a, b) => a.length - b.length || a.localeCompare(b))[0];
  return shortest ? join(dir, shortest) : undefined;
}

/** Include and library folders to search: toolkit, system, wheels (in that order of preference). */
export function searchDirs(nvcc, env = process.env) {
  const toolkits = nvcc ? toolkitRoots(nvcc, env) : [];
  const wheels = wheelRoots(env).flatMap((r) => walk(r, 3));
  const includes = [
    ...toolkits.flatMap((t) => [join(t, 'include'), join(t, 'targets', 'x86_64-linux', 'include')]),
    '/usr/include', '/usr/include/x86_64-linux-gnu', '/usr/local/include',
    ...wheels.filter((d) => d.endsWith('include')),
  ].filter(isDir);
  const libs = [
    ...toolkits.flatMap((t) => [join(t, 'lib64'), join(t, 'lib'), join(t, 'targets', 'x86_64-linux', 'lib')]),
    '/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib',
    ...wheels.filter((d) => /\/lib(64)?$/.test(d)),
  ].filter(isDir);
  return { includes: [...new Set(includes)], libs: [...new Set(libs)] };
}

/** A header + library pair: { include, lib } or a reason naming what is missing. */
function component(dirs, header, libName, label) {
  const include = firstWith(dirs.includes, header);
  if (!include) return { missing: `${label} headers (${header})` };
  const libDir = dirs.libs.find((d) => libFile(d, libName));
  if (!libDir) return { missing: `${label} library (lib${libName}.so*)` };
  return { include, lib: libFile(libDir, libName) };
}

/** cuDNN's major version from cudnn_version.h (cuDNN 9 moved it there from cudnn.h). */
export function cudnnMajor(include) {
  for (const f of ['cudnn_version.h', 'cudnn.h']) {
    const p = join(include, f);
    if (!existsSync(p)) continue;
    const m = /#define\s+CUDNN_MAJOR\s+(\d+)/.exec(readFileSync(p, 'utf8'));
    if (m) return Number(m[1]);
  }
  return undefined;
}

/**
 * Everything the full build needs, or `missing`: a list of what is not there. `libs` are file
 * paths to link; `rpath` their folders (the addon finds them at run time without LD_LIBRARY_PATH).
 */
export function findCudaStack(env = process.env) {
  const found = findNvcc(env);
  if (!found) return { missing: ['nvcc (CUDA >= 12: set CUDA_HOME or put nvcc on PATH)'] };
  if (found.major < 12) return { missing: [`CUDA >= 12 (nvcc ${found.major}.${found.minor} at ${found.nvcc})`] };
  const dirs = searchDirs(found.nvcc, env);
  const parts = {
    cudart: component(dirs, 'cuda_runtime_api.h', 'cudart', 'CUDA runtime'),
    cublas: component(dirs, 'cublas_v2.h', 'cublas', 'cuBLAS'),
    cublasLt: component(dirs, 'cublasLt.h', 'cublasLt', 'cuBLASLt'),
    cudnn: component(dirs, 'cudnn.h', 'cudnn', 'cuDNN 9'),
  };
  const missing = Object.values(parts).filter((p) => p.missing).map((p) => p.missing);
  if (!parts.cudnn.missing) {
    const major = cudnnMajor(parts.cudnn.include);
    if (major !== 9) missing.push(`cuDNN 9 (found cuDNN ${major ?? '?'} at ${parts.cudnn.include})`);
  }
  if (missing.length > 0) return { missing, nvcc: found };
  const all = Object.values(parts);
  return {
    nvcc: found,
    includes: [...new Set(all.map((p) => p.include))],
    libs: all.map((p) => p.lib),
    rpath: [...new Set(all.map((p) => dirname(p.lib)))],
  };
}

/** Node-API headers (node_api.h): next to the node binary, system folders, or NODE_HEADERS_DIR. */
export function findNodeHeaders(env = process.env) {
  const candidates = [env.NODE_HEADERS_DIR, join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
  return candidates.find((d) => d && existsSync(join(d, 'node_api.h')));
}
