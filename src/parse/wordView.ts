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
