/**
 * Byte-level line splitting for the batch path. A raw newline scan with Buffer.indexOf is several
 * times faster than split2 + string splitting (see README, "Design"), and it lets us keep byte
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
    if (hadNewline && this.overflow === 0 && end > 0 && buf[end - 1] === 13) end--;
    const total = end + this.overflow;
    if (total > this.maxLineBytes) {
      this.reportLong(total);
      end = Math.min(end, this.maxLineBytes);
    }
    this.lineNo++;
    this.onLine(buf, 0, end, this.lineStart, this.lineNo);
    this.carryLen = 0;
    this.overflow = 0;
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
    this.onProblem({
      source: this.source,
      offset: this.offset + at,
      message: 'NUL bytes in the text (a crash or power loss can leave them); they are dropped from the lines',
    });
  }
}

/** Share of control bytes (other than TAB, CR, LF, FF, ESC) above which a file is treated as binary. */
const BINARY_RATIO = 0.1;

/** True when the first bytes of a source do not look like a text log. */
export function looksBinary(head: Buffer): { binary: boolean; offset: number } {
  const n = Math.min(head.length, 65536);
  let control = 0;
  let first = -1;
  for (let i = 0; i < n; i++) {
    const b = head[i]!;
    if (b < 9 || (b > 13 && b < 32 && b !== 27)) {
      control++;
      if (first === -1) first = i;
    }
  }
  return { binary: n > 0 && control / n > BINARY_RATIO, offset: Math.max(first, 0) };
}
