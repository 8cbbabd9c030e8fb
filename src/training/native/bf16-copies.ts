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

  /** The bf16 copy of `values()` (the data of `dataId`), converted on the first call. */
  of(dataId: DataId, values: () => Float32Array): Uint16Array {
    let copy = this.copies.get(dataId);
    if (copy) return copy;
    const v = values(); // not before: a bf16-only tensor has no float32 values
    copy = this.alloc(v.length);
    this.addon.toBf16(v, copy);
    this.copies.set(dataId, copy);
    return copy;
  }

  /** A pooled array of `length` bf16 values with arbitrary contents, for a kernel to overwrite. */
  alloc(length: number): Uint16Array {
    const copy = this.free.get(length)?.pop();
    if (copy) this.freeBytes -= copy.byteLength;
    return copy ?? new Uint16Array(length);
  }

  has(dataId: DataId): boolean {
    return this.copies.has(dataId);
  }

  /** `copy` (from alloc) becomes the bf16 copy of `dataId`'s values, released with them. */
  adopt(dataId: DataId, copy: Uint16Array): void {
    if (this.copies.has(dataId)) throw new Error('bf16 copies: this tensor already has one');
    this.copies.set(dataId, copy);
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
