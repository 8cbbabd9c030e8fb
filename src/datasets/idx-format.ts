// The IDX format (MNIST's) of unsigned bytes, shared by uploads (idx.ts) and the built-in files
// (fashion-mnist.ts), which each say in their own terms what is wrong with a file.

const UBYTE = 0x08;

/** Parses an IDX file of unsigned bytes: magic 0x0000 08 <rank>, rank big-endian uint32 dims, data. */
export function parseIdx(buf: Uint8Array, name = 'IDX file'): { dims: number[]; data: Uint8Array } {
  const { dims, offset } = idxHeader(buf, name);
  const size = dims.reduce((a, b) => a * b, 1);
  if (buf.byteLength - offset !== size) {
    throw new Error(`${name}: expected ${size} data bytes for dims [${dims.join(', ')}], found ${buf.byteLength - offset}`);
  }
  return { dims, data: buf.subarray(offset) };
}

/** The header alone (a file's first bytes are enough): its dims, and where the data starts. */
export function idxHeader(buf: Uint8Array, name = 'IDX file'): { dims: number[]; offset: number } {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < 4 || view.getUint16(0) !== 0) throw new Error(`${name}: not an IDX file (bad magic number)`);
  const type = view.getUint8(2);
  const rank = view.getUint8(3);
  if (type !== UBYTE) throw new Error(`${name}: unsupported IDX data type 0x${type.toString(16)} (want unsigned byte 0x08)`);
  if (rank < 1 || buf.byteLength < 4 + 4 * rank) throw new Error(`${name}: truncated IDX header`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, offset: 4 + 4 * rank };
}
