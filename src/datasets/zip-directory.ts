// How many entries a zip says it holds, read from its end-of-central-directory record (and the
// zip64 one where the count overflows 16 bits), without parsing the archive. JSZip reads the whole
// directory in one synchronous pass, ~600 bytes of heap an entry: a 200 MB upload of two million
// empty entries would stall the API for half a minute, so the count is checked first.

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const EOCD_SIZE = 22;
/** The record ends the file but for a comment of at most 65,535 bytes. */
const MAX_COMMENT = 0xffff;

/** The entry count the archive declares, or null when it has no readable directory record. */
export function zipEntryCount(bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT);
  for (let at = bytes.length - EOCD_SIZE; at >= lowest; at--) {
    if (view.getUint32(at, true) !== EOCD) continue;
    const count = view.getUint16(at + 10, true);
    const locator = at - 20;
    if (locator >= 0 && view.getUint32(locator, true) === ZIP64_LOCATOR) {
      const record = Number(view.getBigUint64(locator + 8, true));
      if (record + 40 <= bytes.length && view.getUint32(record, true) === ZIP64_EOCD) return Number(view.getBigUint64(record + 32, true));
    }
    return count;
  }
  return null;
}
