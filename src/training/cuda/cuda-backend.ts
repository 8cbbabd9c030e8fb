// The 'cuda' tfjs backend: every tensor lives in device memory (its data store maps a dataId to a
// device pointer from the addon's caching allocator), kernels queue work on the addon's one
// stream, and values reach the host only when tfjs asks (readSync/read: dataSync(), data(),
// array(), a backend switch). bool is stored as int32 0/1, so every kernel has 4-byte elements.
// There is no host fall-back: a kernel this backend does not register fails in tfjs' engine with
// "Kernel 'X' not registered for backend 'cuda'".
import * as tf from '@tensorflow/tfjs';
import type { CudaAddon, CudaDeviceInfo, Ptr } from './addon.js';
import { DType } from './codes.js';

type DataId = object;
type Values = tf.backend_util.BackendValues;

interface Entry {
  ptr: Ptr;
  bytes: number;
  dtype: tf.DataType;
  refCount: number;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** The device element type of a tfjs dtype (string and complex64 have none: this backend refuses them). */
export function deviceDtype(dtype: tf.DataType): number {
  if (dtype === 'float32') return DType.F32;
  if (dtype === 'int32' || dtype === 'bool') return DType.I32;
  throw new Error(`the cuda backend does not support ${dtype} tensors`);
}

export class CudaBackend extends tf.KernelBackend {
  private readonly data: tf.DataStorage<Entry>;

  constructor(readonly addon: CudaAddon, readonly device: CudaDeviceInfo) {
    super();
    this.data = new tf.DataStorage<Entry>(this, tf.engine());
  }

  // ---- the data store ----

  override write(values: Values, shape: number[], dtype: tf.DataType): DataId {
    const dataId = {};
    this.data.set(dataId, this.upload(values, shape, dtype));
    return dataId;
  }

  override move(dataId: DataId, values: Values, shape: number[], dtype: tf.DataType, refCount: number): void {
    this.data.set(dataId, { ...this.upload(values, shape, dtype), refCount });
  }

  override readSync(dataId: DataId): Values {
    const e = this.entry(dataId);
    const n = e.bytes / 4;
    if (e.dtype === 'float32') {
      const out = new Float32Array(n);
      this.addon.download(e.ptr, out);
      return out;
    }
    const ints = new Int32Array(n);
    this.addon.download(e.ptr, ints);
    return e.dtype === 'bool' ? Uint8Array.from(ints) : ints;
  }

  override async read(dataId: DataId): Promise<Values> {
    return this.readSync(dataId); // the download waits for the stream; an async copy is a later refinement
  }

  override disposeData(dataId: DataId, force = false): boolean {
    if (!this.data.has(dataId)) return true; // (get() would pull it over from another backend)
    const e = this.data.get(dataId);
    e.refCount--;
    if (!force && e.refCount > 0) return false;
    this.addon.free(e.ptr);
    this.data.delete(dataId);
    return true;
  }

  override refCount(dataId: DataId): number {
    return this.data.has(dataId) ? this.data.get(dataId).refCount : 0;
  }

  override incRef(dataId: DataId): void {
    this.entry(dataId).refCount++;
  }

  override numDataIds(): number {
    return this.data.numDataIds();
  }

  // ---- for the kernels ----

  /** The device pointer of a tensor's data. */
  ptr(t: tf.TensorInfo): Ptr {
    return this.entry(t.dataId).ptr;
  }

  /** A new tensor of `shape` and `dtype` whose device memory a kernel is about to write. */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo {
    deviceDtype(dtype);
    const bytes = sizeOf(shape) * 4;
    const dataId = {};
    this.data.set(dataId, { ptr: bytes > 0 ? this.addon.alloc(bytes) : 0, bytes, dtype, refCount: 1 });
    return { dataId, shape, dtype };
  }

  /** A tensor sharing `t`'s device memory under another shape (Reshape, Identity). */
  share(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    this.incRef(t.dataId);
    return { dataId: t.dataId, shape, dtype: t.dtype };
  }

  /** A device copy of a tensor's data, for kernels that must not alias their input. */
  copyOf(t: tf.TensorInfo, dtype: tf.DataType = t.dtype): tf.TensorInfo {
    const out = this.makeOutput([...t.shape], dtype);
    const bytes = sizeOf(t.shape) * 4;
    if (bytes > 0) this.addon.copy(this.ptr(out), this.ptr(t), bytes);
    return out;
  }

  /** Frees a kernel's intermediate tensor (made by makeOutput, never handed to tfjs). */
  disposeIntermediate(t: tf.TensorInfo): void {
    this.disposeData(t.dataId, true);
  }

  // ---- engine queries ----

  override memory(): { unreliable: boolean; reasons?: string[] } {
    const m = this.addon.memory();
    // tf.memory() shows these next to numTensors/numBytes: the leak checks read numBytesInGPU.
    return { unreliable: false, numBytesInGPU: m.inUse, numBytesInGPUAllocated: m.inUse + m.cached, numBytesInGPUFree: m.cached } as never;
  }

  override timerAvailable(): boolean {
    return true;
  }

  /** Wall time of `f` with the stream drained before and after (kernels are asynchronous). */
  override async time(f: () => void): Promise<tf.BackendTimingInfo> {
    this.addon.synchronize();
    const start = performance.now();
    f();
    this.addon.synchronize();
    return { kernelMs: performance.now() - start };
  }

  override floatPrecision(): 32 {
    return 32;
  }

  override dispose(): void {
    // Tensors still alive keep their memory until the process ends; the cache goes back now.
    this.addon.release();
  }

  /** A tensor's entry; data still on another backend is moved here first (DataStorage.get does it). */
  private entry(dataId: DataId): Entry {
    const e = this.data.get(dataId);
    if (!e) throw new Error('cuda backend: a tensor whose data is not on this backend (already disposed?)');
    return e;
  }

  private upload(values: Values, shape: number[], dtype: tf.DataType): Entry {
    if (dtype === 'string' || dtype === 'complex64') throw new Error(`the cuda backend does not support ${dtype} tensors`);
    const n = sizeOf(shape);
    const bytes = n * 4;
    const ptr = bytes > 0 ? this.addon.alloc(bytes) : 0;
    if (values != null && n > 0) {
      let typed: Float32Array | Int32Array;
      if (dtype === 'float32') typed = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
      else typed = values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>); // bool: Uint8Array -> 0/1 int32
      if (typed.length !== n) throw new Error(`cuda backend: ${typed.length} values for a tensor of shape [${shape}]`);
      this.addon.upload(ptr, typed);
    }
    // values == null: tfjs allocates a tensor to be written later (backend.write(null, ...)); zero it.
    else if (n > 0) this.addon.memset(ptr, 0, bytes);
    return { ptr, bytes, dtype, refCount: 1 };
  }
}
