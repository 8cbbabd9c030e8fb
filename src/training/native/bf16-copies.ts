// The bf16 copy of a tensor's values that the mixed-precision kernels read, made on first use and
// kept while the tensor lives: a conv's input is read by its forward and its filter gradient, an
// output gradient by the data and the filter gradient, a dense kernel by the forward and the input
// gradient, so each is converted once per step instead of once per kernel. Copies are keyed by
// the backend's data id (a reshape shares it: same values, same copy) and recycled, like the
// backend's float32 buffers, when the tensor's data is released.
import type { NativeAddon } from './addon.js';

type DataId = object;

// Process-wide, never reused: the addon keeps a filter's bf16 layout per primitive by this number,
// so a number must never name two different sets of values, even across backend instances.
let nextSerial = 1;

export class Bf16Copies {
  private readonly copies = new Map<DataId, Uint16Array>();
  private readonly free = new Map<number, Uint16Array[]>(); // by length
  private freeBytes = 0;
  private readonly serials = new WeakMap<DataId, number>();

  constructor(private readonly addon: NativeAddon, private readonly poolLimitBytes: number) {}

  /** The bf16 copy of `values` (the data of `dataId`), converted on the first call. */
  of(dataId: DataId, values: Float32Array): Uint16Array {
    let copy = this.copies.get(dataId);
    if (copy) return copy;
    copy = this.free.get(values.length)?.pop();
    if (copy) this.freeBytes -= copy.byteLength;
    else copy = new Uint16Array(values.length);
    this.addon.toBf16(values, copy);
    this.copies.set(dataId, copy);
    return copy;
  }

  /** A number naming these values for as long as they live (tensors are immutable: new values, new id). */
  serial(dataId: DataId): number {
    let n = this.serials.get(dataId);
    if (n === undefined) this.serials.set(dataId, (n = nextSerial++));
    return n;
  }

  /** The tensor's data is gone: its copy goes back to the pool (or to the collector, past the limit). */
  release(dataId: DataId): void {
    const copy = this.copies.get(dataId);
    if (!copy) return;
    this.copies.delete(dataId);
    if (this.freeBytes + copy.byteLength > this.poolLimitBytes) return;
    const list = this.free.get(copy.length) ?? [];
    list.push(copy);
    this.free.set(copy.length, list);
    this.freeBytes += copy.byteLength;
  }

  clear(): void {
    this.copies.clear();
    this.free.clear();
    this.freeBytes = 0;
  }
}
