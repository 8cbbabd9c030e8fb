// What @tensorflow/tfjs-backend-webgpu expects of a browser: navigator.gpu and the WebGPU
// constant namespaces (GPUBufferUsage, GPUMapMode, ...) as globals. It checks navigator.gpu when
// its module loads, so this must run before the package is first required.
import type { Gpu, GpuRequestAdapterOptions } from './dawn.js';

/** navigator.gpu whose requestAdapter adds `extra` (e.g. featureLevel 'compatibility') to tfjs' options. */
function wrapGpu(gpu: Gpu, extra: GpuRequestAdapterOptions): Gpu {
  return {
    requestAdapter: (options) => gpu.requestAdapter({ ...options, ...extra }),
    getPreferredCanvasFormat: () => gpu.getPreferredCanvasFormat?.() ?? 'rgba8unorm',
    get wgslLanguageFeatures() { return gpu.wgslLanguageFeatures ?? new Set<string>(); },
  };
}

export function installWebgpuGlobals(gpu: Gpu, extra: GpuRequestAdapterOptions, globals: Record<string, unknown>): void {
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) {
    if (!(name in g)) g[name] = value;
  }
  const wrapped = wrapGpu(gpu, extra);
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav === undefined) {
    g.navigator = { gpu: wrapped };
  } else {
    // Node 21+ has a navigator without gpu; it is not writable by assignment, so define it.
    Object.defineProperty(nav, 'gpu', { value: wrapped, configurable: true, enumerable: true, writable: true });
  }
}
