// Loads Dawn's Node bindings (the optional npm package `webgpu`) without a static import, so a
// host without the package still runs, and finds an adapter. Only the few WebGPU shapes we touch
// are typed here (the package's own types would add DOM-style globals to the whole program).
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export interface GpuAdapterInfo {
  vendor?: string; architecture?: string; device?: string; description?: string;
}
export interface GpuAdapter {
  readonly info?: GpuAdapterInfo;
  readonly features: ReadonlySet<string>;
}
export interface GpuRequestAdapterOptions {
  powerPreference?: 'low-power' | 'high-performance';
  featureLevel?: 'core' | 'compatibility';
  [key: string]: unknown;
}
export interface Gpu {
  requestAdapter(options?: GpuRequestAdapterOptions): Promise<GpuAdapter | null>;
  getPreferredCanvasFormat?(): string;
  readonly wgslLanguageFeatures?: ReadonlySet<string>;
}
export interface DawnModule {
  create(flags: string[]): Gpu;
  /** GPUBufferUsage, GPUMapMode, GPUTextureUsage, ...: what a browser defines globally. */
  globals: Record<string, unknown>;
}

const require = createRequire(import.meta.url);

/** The `webgpu` package, or the reason it cannot load (not installed, no binary for this platform...). */
export async function loadDawn(): Promise<DawnModule | string> {
  let entry: string;
  try {
    entry = require.resolve('webgpu');
  } catch {
    return "the optional npm package 'webgpu' (Dawn's Node bindings) is not installed";
  }
  try {
    // Its entry point is an ES module (it requires the platform's dawn.node itself).
    return (await import(pathToFileURL(entry).href)) as DawnModule;
  } catch (err) {
    return `the 'webgpu' package failed to load: ${(err as Error).message}`;
  }
}

// Where the Vulkan loader looks for drivers (ICD manifests) on Linux, besides the env overrides.
const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/**
 * Why Dawn's default (Vulkan) backend cannot find a GPU here, decided before Dawn is asked: with
 * no driver manifest, Dawn would only print loader errors on stderr at every worker start.
 */
export function vulkanDriverMissing(flags: string[]): string | undefined {
  if (process.platform !== 'linux' || flags.some((f) => f.startsWith('backend='))) return undefined;
  if (process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES || process.env.VK_ADD_DRIVER_FILES) return undefined;
  const found = ICD_DIRS.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
  return found ? undefined : `no Vulkan driver is installed (no ICD manifest in ${ICD_DIRS.join(', ')}; set VK_DRIVER_FILES, or HYPERTUNE_DAWN_FLAGS=backend=opengles for Mesa's llvmpipe)`;
}

/** Dawn create() flags: the given ones, else HYPERTUNE_DAWN_FLAGS (comma-separated). */
export function dawnFlags(given?: string[]): string[] {
  if (given && given.length > 0) return given;
  return (process.env.HYPERTUNE_DAWN_FLAGS ?? '').split(',').map((f) => f.trim()).filter((f) => f.length > 0);
}

/**
 * The first adapter of a core (full WebGPU) request, else of a compatibility-mode one: Dawn's
 * OpenGL ES backend (e.g. Mesa llvmpipe without a GPU) only offers compatibility adapters.
 * Returns the options that found it, to give tfjs' own request the same ones.
 */
export async function findAdapter(gpu: Gpu): Promise<{ adapter: GpuAdapter; extra: GpuRequestAdapterOptions } | null> {
  for (const extra of [{}, { featureLevel: 'compatibility' } as const]) {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance', ...extra });
    if (adapter) return { adapter, extra };
  }
  return null;
}

export function describeAdapter(adapter: GpuAdapter, compatibility: boolean): string {
  const i = adapter.info ?? {};
  const parts = [i.vendor, i.architecture, i.device, i.description].filter((p): p is string => !!p && p.length > 0);
  const unique = [...new Set(parts)];
  return `WebGPU (Dawn): ${unique.join(', ') || 'unknown adapter'}${compatibility ? ' [compatibility mode]' : ''}`;
}
