/**
 * Byte-level line splitting for the batch path. A raw newline scan with Buffer.indexOf is several
 * times faster than a string-stream splitter such as split2 (see README, "Design"), and it lets us keep byte
 * offsets exact. Lines end in LF; a CR before it (Windows dgate and the GUI write CRLF) is dropped.
 */
import type { ProblemSink } from '../parse/event.js';

/** A line longer than this is cut to this many bytes and reported (reference §1.5: dgate lines are < 12.5 KB). */
export const MAX_LINE_BYTES = 1 << 20;

export type LineHandler = (buf: Buffer, start: number, end: number, offset: number, lineNo: number) => void;

export class LineSplitter {
  private carry: Buffer | null = null;
  private carryLen = 0;
  /** Bytes of an over-long line that were dropped after MAX_LINE_BYTES. */
  private overflow = 0;
  /** True when the last byte appended to the carry (kept or dropped) was a CR. */
  private lastCr = false;
  private offset = 0; // offset of the next byte to arrive
  private lineStart = 0; // offset of the current line's first byte
  private lineNo = 0;
  private nulReported = false;

  constructor(
    private readonly source: string,
    private readonly onLine: LineHandler,
    private readonly onProblem: ProblemSink,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  /** Number of physical lines emitted so far. */
  get lines(): number {
    return this.lineNo;
  }

  /** Total bytes seen so far. */
  get bytes(): number {
    return this.offset;
  }

  /** Where the line not yet emitted starts (the bytes of every emitted line end before it). */
  get nextLineOffset(): number {
    return this.lineStart;
  }

  push(chunk: Buffer): void {
    if (!this.nulReported) this.checkNul(chunk);
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      const nl = chunk.indexOf(10, pos);
      if (nl === -1) {
        this.append(chunk, pos, len);
        break;
      }
      if (this.carryLen === 0 && this.overflow === 0) {
        let end = nl;
        if (end > pos && chunk[end - 1] === 13) end--;
        if (end - pos > this.maxLineBytes) {
          this.reportLong(end - pos);
          end = pos + this.maxLineBytes;
        }
        this.lineNo++;
        this.onLine(chunk, pos, end, this.offset + pos, this.lineNo);
      } else {
        this.append(chunk, pos, nl);
        this.flushCarry(true);
      }
      pos = nl + 1;
      this.lineStart = this.offset + pos;
    }
    this.offset += len;
  }

  /** Emits a last line that has no newline. */
  end(): void {
    if (this.carryLen > 0 || this.overflow > 0) this.flushCarry(false);
  }

  private append(chunk: Buffer, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    this.lastCr = chunk[to - 1] === 13;
    const room = this.maxLineBytes + 1 - this.carryLen; // +1 keeps a possible trailing CR
    if (room <= 0) {
      this.overflow += n;
      return;
    }
    const take = Math.min(room, n);
    if (!this.carry || this.carry.length < this.carryLen + take) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxLineBytes + 1, Math.max(4096, (this.carryLen + take) * 2)));
      if (this.carry) this.carry.copy(grown, 0, 0, this.carryLen);
      this.carry = grown;
    }
    chunk.copy(this.carry, this.carryLen, from, from + take);
    this.carryLen += take;
    this.overflow += n - take;
  }

  private flushCarry(hadNewline: boolean): void {
    const buf = this.carry ?? Buffer.alloc(0);
    let end = this.carryLen;
    let dropped = this.overflow;
    // The CR of a CRLF is not part of the line, whether it was kept or fell into the overflow.
    if (hadNewline && this.lastCr) {
      if (dropped > 0) dropped--;
      else if (end > 0) end--;
    }
    const total = end + dropped;
    if (total > this.maxLineBytes) {
      this.reportLong(total);
      end = Math.min(end, this.maxLineBytes);
    }
    this.lineNo++;
    this.onLine(buf, 0, end, this.lineStart, this.lineNo);
    this.carryLen = 0;
    this.overflow = 0;
    this.lastCr = false;
    if (this.carry && this.carry.length > 65536) this.carry = null; // do not keep a huge buffer around
  }

  private reportLong(bytes: number): void {
    this.onProblem({
      source: this.source,
      line: this.lineNo + 1,
      offset: this.lineStart,
      message: `line of ${bytes} bytes is longer than ${this.maxLineBytes}; kept its first ${this.maxLineBytes} bytes`,
    });
  }

  private checkNul(chunk: Buffer): void {
    const at = chunk.indexOf(0);
    if (at === -1) return;
    this.nulReported = true;
    // Its line: the one being read when the chunk starts, plus the newlines before the NUL (once a file).
    let line = this.lineNo + 1;
    for (let nl = chunk.indexOf(10); nl !== -1 && nl < at; nl = chunk.indexOf(10, nl + 1)) line++;
    this.onProblem({
      source: this.source,
      line,
      offset: this.offset + at,
      message: 'NUL bytes in the text (a crash or power loss can leave them); they are dropped from the lines',
    });
  }
}

/**
 * Share of control bytes (other than NUL, TAB, LF, VT, FF, CR, ESC) above which a file is treated as
 * binary. Random data has about 10%; a log has none, except NUL runs left by a crash, which are
 * reported but do not make a log binary, and ESC sequences of ISO 2022 DICOM strings.
 */
const BINARY_RATIO = 0.02;

/** Signatures of binary formats someone may point cqlog at by mistake. */
const MAGIC: [string, Buffer][] = [
  ['PNG image', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
  ['JPEG image', Buffer.from([0xff, 0xd8, 0xff])],
  ['gzip data', Buffer.from([0x1f, 0x8b])],
  ['zip archive', Buffer.from('PK\x03\x04', 'latin1')],
  ['7z archive', Buffer.from("7z\xbc\xaf'\x1c", 'latin1')],
  ['ELF executable', Buffer.from('\x7fELF', 'latin1')],
  ['PDF document', Buffer.from('%PDF-', 'latin1')],
  ['SQLite database', Buffer.from('SQLite format 3\0', 'latin1')],
];

/** True when the first bytes of a source do not look like a text log; `what` names a known format. */
export function looksBinary(head: Buffer): { binary: boolean; offset: number; what?: string } {
  for (const [what, sig] of MAGIC) {
    if (head.length >= sig.length && head.compare(sig, 0, sig.length, 0, sig.length) === 0) return { binary: true, offset: 0, what };
  }
  // DICOM Part 10: 128-byte preamble, then `DICM`.
  if (head.length >= 132 && head.toString('latin1', 128, 132) === 'DICM') return { binary: true, offset: 128, what: 'DICOM file' };
  const n = Math.min(head.length, 65536);
  let control = 0;
  let first = -1;
  for (let i = 0; i < n; i++) {
    const b = head[i]!;
    if (b < 32 && b !== 9 && b !== 10 && b !== 11 && b !== 12 && b !== 13 && b !== 27) {
      if (b === 0) continue; // NUL runs are crash damage in a log, reported by the line splitter
      control++;
      if (first === -1) first = i;
    }
  }
  // A stray control byte or two in a short text is not enough; a few percent of them is.
  const ratio = n > 0 ? control / n : 0;
  return { binary: control > 2 && ratio > BINARY_RATIO, offset: Math.max(first, 0) };
}

/** Decodes one line's bytes; NUL bytes (crash debris, reported once by the splitter) are dropped. */
export function decodeLine(buf: Buffer, start: number, end: number, utf8 = false): string {
  const s = utf8 ? buf.toString('utf8', start, end) : buf.toString('latin1', start, end);
  return s.indexOf('\0') === -1 ? s : s.replace(/\0/g, '');
}

/** The input problem of a source whose first bytes are not text. */
export function binaryMessage(bin: { what?: string | undefined }): string {
  return `binary content${bin.what ? ` (${bin.what})` : ''}, not a text log; skipped`;
}
