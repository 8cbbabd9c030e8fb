// The 'native' tfjs backend: tfjs' cpu backend (same tensor storage: a Float32Array per tensor)
// whose kernels write into arrays recycled from disposed tensors. A step of a big model
// otherwise allocates hundreds of MB of fresh, zero-filled memory (page faults cost as much as
// the arithmetic on 2 cores). A buffer is recycled only when no live tensor uses it (counted per
// ArrayBuffer, so views and shared values are safe) and never once its contents were handed out
// by readSync/read (dataSync() returns the backend's own array).
import type * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { Precision } from '../../domain/precision.js';
import type { NativeAddon } from './addon.js';
import { Bf16Copies } from './bf16-copies.js';
import { bf16PolicyFor, convInBf16, matMulInBf16, type Bf16Policy } from './bf16-policy.js';

type DataId = object;
type Values = tf.backend_util.BackendValues;
/** Freed buffers kept for reuse by default: a training step of the reference model needs about this much. */
export const DEFAULT_BUFFER_POOL_BYTES = 512 * 1024 * 1024;

export class NativeBackend extends MathBackendCPU {
  private readonly free = new Map<number, Float32Array[]>(); // by length
  private freeBytes = 0;
  private readonly uses = new WeakMap<ArrayBufferLike, number>(); // our buffers -> live data entries
  /**
   * What the conv and matmul kernels compute in: 'bf16' only while a mixed-precision trial trains
   * (set through ./precision.ts); everything else always runs in float32.
   */
  precision: Precision = 'fp32';
  /** Which kernels run in bf16 while the precision is 'bf16': this CPU's (./bf16-policy.ts). */
  bf16Policy: Bf16Policy;
  private readonly bf16Copies: Bf16Copies;

  constructor(readonly addon: NativeAddon, private readonly poolLimitBytes = DEFAULT_BUFFER_POOL_BYTES) {
    super();
    // bf16 copies are half the size of the float32 arrays they mirror: half the pool keeps as many.
    this.bf16Copies = new Bf16Copies(addon, poolLimitBytes / 2);
    this.bf16Policy = { ...bf16PolicyFor(addon.info().isa) };
    (this as unknown as { firstUse: boolean }).firstUse = false; // no "install tfjs-node" banner
  }

  /** A float32 array of `size` elements with arbitrary contents, for a kernel to overwrite. */
  alloc(size: number): Float32Array {
    const recycled = this.free.get(size)?.pop();
    const out = recycled ?? new Float32Array(size);
    if (recycled) this.freeBytes -= out.byteLength;
    this.uses.set(out.buffer, 0);
    return out;
  }

  /** A new float32 tensor of `shape` holding `values` (from alloc). */
  output(shape: number[], values: Float32Array): tf.TensorInfo {
    return this.makeTensorInfo(shape, 'float32', values);
  }

  /**
   * Whether a kernel may overwrite `t`'s values in place: one tensor refers to them, no other data
   * entry shares their buffer, and they were never handed out by readSync.
   */
  soleOwner(t: tf.TensorInfo): boolean {
    const entry = this.data.get(t.dataId);
    const values = entry?.values;
    return entry?.refCount === 1 && ArrayBuffer.isView(values) && this.uses.get(values.buffer) === 1;
  }

  /** The float32 values of a tensor (none for a bf16-only one: an error, never stale values). */
  values(t: tf.TensorInfo): Float32Array {
    const values = this.data.get(t.dataId).values;
    if (!values) throw new Error('native: this tensor holds only bf16 values');
    return values as Float32Array;
  }

  /** A pooled array of `size` bf16 values with arbitrary contents, for a kernel to overwrite. */
  allocBf16(size: number): Uint16Array {
    return this.bf16Copies.alloc(size);
  }

  /**
   * A float32 tensor of `shape` whose values exist only as `copy`, their bf16 rounding (from
   * allocBf16): for a kernel output that only bf16 kernels read (native's direct step keeps such
   * activations inside its step). bf16() returns the copy; values() throws.
   */
  bf16Output(shape: number[], copy: Uint16Array): tf.TensorInfo {
    const info = this.makeTensorInfo(shape, 'float32');
    this.adoptBf16(info, copy);
    return info;
  }

  /** `copy` (from allocBf16, holding the bf16 rounding of t's values) becomes t's bf16 copy. */
  adoptBf16(t: tf.TensorInfo, copy: Uint16Array): void {
    this.bf16Copies.adopt(t.dataId, copy);
  }

  /** Whether a kernel read `t` as bf16 while it lived (its copy is kept). */
  hasBf16(t: tf.TensorInfo): boolean {
    return this.bf16Copies.has(t.dataId);
  }

  /** Whether a convolution over `inChannels` input channels runs in bf16 now. */
  convInBf16(inChannels: number): boolean {
    return this.precision === 'bf16' && convInBf16(this.bf16Policy, inChannels);
  }

  /** Whether an [m, k] x [k, n] product runs in bf16 now. */
  matMulInBf16(m: number, n: number, k: number): boolean {
    return this.precision === 'bf16' && matMulInBf16(this.bf16Policy, m, n, k);
  }

  /** A tensor's values as bf16, converted once while the tensor lives (bf16-copies.ts). */
  bf16(t: tf.TensorInfo): Uint16Array {
    return this.bf16Copies.of(t.dataId, () => this.values(t));
  }

  /** A number that names a tensor's values for as long as they live (the addon caches a filter's bf16 layout by it). */
  serial(t: tf.TensorInfo): number {
    return this.bf16Copies.serial(t.dataId);
  }

  override write(values: Values, shape: number[], dtype: tf.DataType): DataId {
    this.track(values, 1);
    return super.write(values, shape, dtype);
  }

  override move(dataId: DataId, values: Values, shape: number[], dtype: tf.DataType, refCount: number): void {
    this.track(values, 1);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const released = super.disposeData(dataId, force);
    if (released && !this.data.has(dataId)) {
      if (values) this.track(values, -1);
      this.bf16Copies.release(dataId);
    }
    return released;
  }

  override readSync(dataId: DataId): Values {
    const values = this.data.get(dataId)?.values;
    if (values && ArrayBuffer.isView(values)) this.uses.delete(values.buffer); // handed out: never recycle
    return super.readSync(dataId);
  }

  override dispose(): void {
    this.free.clear();
    this.freeBytes = 0;
    this.bf16Copies.clear();
    super.dispose();
  }

  private track(values: Values | undefined, delta: 1 | -1): void {
    if (!values || !ArrayBuffer.isView(values)) return;
    const count = this.uses.get(values.buffer);
    if (count === undefined) return;
    if (count + delta > 0) {
      this.uses.set(values.buffer, count + delta);
      return;
    }
    this.uses.delete(values.buffer);
    const whole = new Float32Array(values.buffer);
    if (this.freeBytes + whole.byteLength > this.poolLimitBytes) return;
    const list = this.free.get(whole.length) ?? [];
    list.push(whole);
    this.free.set(whole.length, list);
    this.freeBytes += whole.byteLength;
  }
}
