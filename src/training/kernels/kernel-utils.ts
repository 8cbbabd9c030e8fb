// Helpers for kernels built from other kernels of the same backend. Calling the backend's
// registered kernel functions directly (not tf ops) keeps the work off the gradient tape and out
// of the engine's bookkeeping; every intermediate is released with backend.disposeData.
import * as tf from '@tensorflow/tfjs';

export type Backend = Parameters<tf.KernelFunc>[0]['backend'];
export type Info = tf.TensorInfo;

/** The attributes both Conv2D gradient kernels receive from tfjs. */
export interface ConvGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function callKernel(
  backendName: string, backend: Backend, kernelName: string,
  inputs: Record<string, Info> | Info[], attrs: Record<string, unknown> = {},
): Info {
  const kernel = tf.getKernel(kernelName, backendName);
  if (!kernel) throw new Error(`kernel '${kernelName}' is not registered for backend '${backendName}'`);
  // Concat and Pack take an array of inputs.
  const out = kernel.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: attrs as tf.NamedAttrMap });
  return Array.isArray(out) ? out[0] : out;
}

export function release(backend: Backend, ...infos: Info[]): void {
  for (const info of infos) (backend as tf.KernelBackend).disposeData(info.dataId);
}

/** A plain NHWC conv2d with explicit padding [[top, bottom], [left, right]]. */
export function forwardConv(
  backendName: string, backend: Backend, x: Info, filter: Info,
  pads: [[number, number], [number, number]], dilations: [number, number],
): Info {
  return callKernel(backendName, backend, 'Conv2D', { x, filter }, {
    strides: [1, 1], pad: [[0, 0], pads[0], pads[1], [0, 0]], dataFormat: 'NHWC', dilations, dimRoundingMode: undefined,
  });
}

/**
 * Whether the backend's kernels may read tensor values on the host (readSync). GPU backends keep
 * data on the device: reading it back synchronously is impossible on webgpu (readSync throws) and
 * a pipeline stall on webgl, so kernels for them must stay on the device.
 */
export function readsOnHost(backendName: string): boolean {
  return backendName !== 'webgpu' && backendName !== 'webgl';
}

interface WasmLike { makeOutput(shape: number[], dtype: 'float32'): Info; typedArrayFromHeap(t: Info): Float32Array }
interface CpuLike { makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): Info }

/** A new float32 tensor holding `values`, on whichever backend (wasm: written into its heap; cpu, webgpu: makeTensorInfo). */
export function fromValues(backend: Backend, shape: number[], values: Float32Array): Info {
  const b = backend as unknown as Partial<WasmLike & CpuLike>;
  if (b.makeOutput && b.typedArrayFromHeap) {
    const out = b.makeOutput(shape, 'float32');
    b.typedArrayFromHeap(out).set(values);
    return out;
  }
  if (b.makeTensorInfo) return b.makeTensorInfo(shape, 'float32', values);
  throw new Error('backend can create neither wasm outputs nor tensor infos');
}

/** The parts of tfjs' wasm backend the heap-level kernels use (tensors live in one wasm heap). */
export interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): Info;
  typedArrayFromHeap(t: Info): Float32Array;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number }; delete(dataId: object): boolean };
  wasm: { tfjs: { disposeData(id: number): void } };
}

/**
 * A float32 tensor aliasing `shape` elements of `of`'s heap memory, `offset` elements in (no
 * copy). Release it with releaseView, never with release: disposeData would free() the middle
 * of another allocation.
 */
export function heapView(heap: WasmHeap, of: Info, offset: number, shape: number[]): Info {
  return heap.makeOutput(shape, 'float32', heap.dataIdMap.get(of.dataId).memoryOffset + 4 * offset);
}

export function releaseView(heap: WasmHeap, view: Info): void {
  heap.wasm.tfjs.disposeData(heap.dataIdMap.get(view.dataId).id); // the C++ side's record (and any cached operator)
  heap.dataIdMap.delete(view.dataId);
}
