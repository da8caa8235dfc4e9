/** Word-sized reads of the raw line bytes for the byte lanes. */
/**
 * A DataView over a buffer, made again only when the buffer changes (once a read chunk). Byte loops
 * cost about 2 ns a byte here; one 32-bit DataView read costs about as much as one byte.
 */
export class WordView {
  private buf: Uint8Array | null = null;
  private view: DataView = new DataView(new ArrayBuffer(0));

  of(buf: Uint8Array): DataView {
    if (buf !== this.buf) {
      this.buf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return this.view;
  }
}

/**
 * `count` little-endian 32-bit words of `bytes` from `from`, into `into` (a new array when not
 * given): what a WordView read at the same place gives, kept for comparing against later lines.
 */
export function wordsOf(bytes: Buffer, from: number, count: number, into: Int32Array = new Int32Array(count)): Int32Array {
  for (let w = 0; w < count; w++) into[w] = bytes.readInt32LE(from + 4 * w);
  return into;
}
