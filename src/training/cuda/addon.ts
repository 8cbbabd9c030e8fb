// Loads the CUDA addon (native-cuda/build/Release/hypertune_cuda.node, built by
// scripts/build-cuda.mjs) and says why not when it cannot: not built, a library missing at load
// (libcudart, libcublas, libcudnn), or no usable GPU (no driver, driver too old, no device).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A device pointer as a number (0: null); see native-cuda/src/napi-args.h. */
export type Ptr = number;
type Typed = Float32Array | Int32Array | Uint8Array;

export interface CudaDeviceInfo {
  name: string; computeCapability: string; multiprocessors: number; totalMemory: number; l2Bytes: number;
  runtime: number; driver: number; cublas: number; cudnn: number; memoryLimit: number;
}
export interface CudaMemory {
  inUse: number; cached: number; peakInUse: number; limit: number; mallocs: number; blocksInUse: number;
  deviceFree: number; deviceTotal: number;
}

/** What the addon exports (native-cuda/src/*.cc). Kernels queue work and return; download waits. */
export interface CudaAddon {
  deviceCount(): { count: number; error?: string };
  init(o: { device: number; memoryLimit: number; tf32: boolean }): CudaDeviceInfo;
  setTf32(on: boolean): void;
  synchronize(): void;
  alloc(bytes: number): Ptr;
  free(p: Ptr): void;
  release(): void;
  memory(): CudaMemory;
  setMemoryLimit(bytes: number): void;
  resetPeak(): void;
  upload(dst: Ptr, src: Typed): void;
  download(src: Ptr, dst: Typed): void;
  memset(p: Ptr, byte: number, bytes: number): void;
  copy(dst: Ptr, src: Ptr, bytes: number): void;
  copy2d(dst: Ptr, dstPitch: number, src: Ptr, srcPitch: number, widthBytes: number, rows: number): void;
  unary(op: number, dtype: number, x: Ptr, y: Ptr, n: number, alpha: number, beta: number): void;
  binary(op: number, dtype: number, a: Ptr, b: Ptr, out: Ptr, n: number, dims: number[], aStrides: number[], bStrides: number[]): void;
  select(cond: Ptr, a: Ptr, b: Ptr, out: Ptr, n: number, dims: number[], cStrides: number[], aStrides: number[], bStrides: number[]): void;
  biasActivation(y: Ptr, bias: Ptr | null, rows: number, cols: number, act: number, alpha: number): void;
  reduce(op: number, dtype: number, x: Ptr, out: Ptr, outer: number, size: number, inner: number): void;
  softmax(x: Ptr, y: Ptr, rows: number, cols: number): void;
  adam(p: Ptr, m: Ptr, v: Ptr, g: Ptr, pOut: Ptr, mOut: Ptr, vOut: Ptr, n: number, scalars: number[]): void;
  cast(from: number, to: number, x: Ptr, y: Ptr, n: number): void;
  castToBool(from: number, x: Ptr, y: Ptr, n: number): void;
  fill(y: Ptr, bits: number, n: number): void;
  oneHot(indices: Ptr, y: Ptr, n: number, depth: number, onBits: number, offBits: number): void;
  batchNorm(x: Ptr, mean: Ptr, nMean: number, variance: Ptr, nVariance: number, offset: Ptr | null, nOffset: number,
    scale: Ptr | null, nScale: number, epsilon: number, y: Ptr, n: number): void;
  remap(x: Ptr, y: Ptr, n: number, tile: boolean, padBits: number, base: number, outDims: number[], inDims: number[], inStrides: number[], offsets: number[]): void;
  gather(x: Ptr, indices: Ptr, y: Ptr, outer: number, axis: number, inner: number, count: number): void;
  maxPool(x: Ptr, y: Ptr, geometry: number[]): void;
  avgPool(x: Ptr, y: Ptr, geometry: number[]): void;
  maxPoolGrad(dy: Ptr, x: Ptr, dx: Ptr, geometry: number[]): void;
  avgPoolGrad(dy: Ptr, dx: Ptr, geometry: number[]): void;
  matMul(a: Ptr, b: Ptr, c: Ptr, batch: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean, strideA: number, strideB: number): void;
  conv2dForward(x: Ptr, filterKRSC: Ptr, y: Ptr, geometry: number[]): void;
  conv2dBackwardData(dy: Ptr, filterKRSC: Ptr, dx: Ptr, geometry: number[]): void;
  conv2dBackwardFilter(x: Ptr, dy: Ptr, dwKRSC: Ptr, geometry: number[]): void;
}

export const CUDA_ADDON_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../native-cuda/build/Release/hypertune_cuda.node');
export const CUDA_NOT_BUILT = 'not built: run npm run build:cuda (needs CUDA >= 12 with nvcc, cuBLAS and cuDNN 9)';

let loaded: { addon?: CudaAddon; reason?: string } | undefined;

/** The addon at `file` with at least one GPU, or why not (uncached; creates no CUDA context). */
export function probeCudaAddon(file: string): { addon?: CudaAddon; reason?: string } {
  if (!existsSync(file)) return { reason: CUDA_NOT_BUILT };
  let addon: CudaAddon;
  try {
    addon = createRequire(import.meta.url)(file) as CudaAddon;
  } catch (err) {
    // Typically a shared library not found: the message names it.
    return { reason: `failed to load ${file}: ${(err as Error).message}` };
  }
  if (typeof addon.deviceCount !== 'function') return { reason: `${file} is not the cuda addon` };
  const devices = addon.deviceCount();
  if (devices.count < 1) return { reason: `no CUDA device: ${devices.error ?? 'cudaGetDeviceCount found none'}` };
  return { addon };
}

/** The built addon with at least one GPU, or why not. Probes once per process. */
export function loadCudaAddon(): { addon?: CudaAddon; reason?: string } {
  return (loaded ??= probeCudaAddon(CUDA_ADDON_PATH));
}
