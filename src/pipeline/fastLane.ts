/**
 * The fast lane of the batch path (kinds only, latin1, no --tz): Windows and ctime prefixes are
 * recognised on the raw bytes, the time string is rebuilt only when the prefix bytes change, and
 * the catalog decides the kind from the message bytes when a literal start settles it. Anything
 * else goes through the full decoder, so results are identical — only faster.
 */
import { parsePrefix } from '../parse/prefix.js';
import { classifyBytes } from '../parse/catalog/index.js';
import { WordView } from '../parse/wordView.js';

/**
 * The kind of the message in bytes [m, end) when its bytes settle it, else null (the full parser
 * decides): no catalog row's literal start settles it, or it may be unterminated with the next message
 * glued on (§1.6: `*** heap…`, `*** HL7…`, `Update …`).
 */
export function fastKind(buf: Buffer, m: number, end: number): string | null {
  if (m < 0 || m >= end) return null;
  const c = buf[m];
  if ((c === 85 && buf[m + 1] === 112) || (c === 42 && buf[m + 3] === 32 && (buf[m + 4] === 104 || buf[m + 4] === 72))) return null;
  return classifyBytes(buf, m, end);
}

const DAY = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map(key3));
const MON = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map(key3));

function key3(s: string): number {
  return (s.charCodeAt(0) << 16) | (s.charCodeAt(1) << 8) | s.charCodeAt(2);
}

function dig(b: number | undefined): boolean {
  return b !== undefined && b >= 48 && b <= 57;
}

/**
 * A time `YYYY-MM-DDTHH:MM:SS` from the char codes of its minute (17) and its two second digits,
 * built as one flat string. A concatenation would give a cons string, and each new second's time
 * is compared and read several times down the line (clock check, runs, spans), which costs a cons
 * string some hundred nanoseconds more.
 */
function isoSecond(m: number[], d1: number, d2: number): string {
  return String.fromCharCode(m[0]!, m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7]!, m[8]!, m[9]!, m[10]!, m[11]!, m[12]!, m[13]!, m[14]!, m[15]!, m[16]!, d1, d2);
}

export class FastPrefix {
  private last = Buffer.alloc(32);
  private lastLen = 0;
  /** The last prefix as 32-bit words, for the common same-prefix check (bytes 0–23; 0–15 of a Windows prefix). */
  private w0 = 0;
  private w1 = 0;
  private w2 = 0;
  private w3 = 0;
  private w4 = 0;
  private w5 = 0;
  private readonly lastView = new DataView(this.last.buffer, this.last.byteOffset, this.last.length);
  private readonly words = new WordView();
  /** Where the `HH:MM:SS` of the last prefix starts (ctime 11, Windows 9)… */
  private todAt = 0;
  /** …and the char codes of its time up to its seconds, `YYYY-MM-DDTHH:MM:` (the date part kept while only the time of day moves). */
  private readonly minuteCodes: number[] = new Array<number>(17).fill(48);
  /** The time of the last recognised prefix. */
  time = '';

  /** Start of the message after a Windows or ctime prefix, or -1. Sets `time`. */
  messageStart(buf: Buffer, start: number, end: number): number {
    const len = end - start;
    // Most lines carry the same prefix as the line before (same second): compare, from the seconds back.
    const pl = this.lastLen;
    if (pl !== 0 && len > pl && buf[start + pl] === 32) {
      const last = this.last;
      const dv = this.words.of(buf);
      // The seconds first: they are what usually changes. A Windows prefix is 4 words and a byte.
      const ctime = pl === 24;
      if (
        (ctime ? dv.getInt32(start + 16, true) === this.w4 : buf[start + 16] === last[16]) &&
        dv.getInt32(start + 12, true) === this.w3 &&
        dv.getInt32(start + 8, true) === this.w2 &&
        dv.getInt32(start + 4, true) === this.w1 &&
        dv.getInt32(start, true) === this.w0 &&
        (!ctime || dv.getInt32(start + 20, true) === this.w5)
      ) {
        return start + pl + 1;
      }
      let i = pl - 1;
      while (i >= 0 && buf[start + i] === last[i]) i--;
      if (i < 0) return start + pl + 1;
      // Only the time of day moved (the next second, the next minute): the date part is unchanged, so
      // the prefix is the same shape and the time is that date with these digits (both shapes take
      // the time-of-day digits as written, see prefix.ts).
      const at = this.todAt;
      if (i >= at && i < at + 8) {
        let j = at - 1;
        while (j >= 0 && buf[start + j] === last[j]) j--;
        const t = start + at;
        if (j < 0 && dig(buf[t]) && dig(buf[t + 1]) && buf[t + 2] === 58 && dig(buf[t + 3]) && dig(buf[t + 4]) && buf[t + 5] === 58 && dig(buf[t + 6]) && dig(buf[t + 7])) {
          // Within the same minute (most changes) only the seconds are new: no decoding.
          if (buf[t] !== last[at] || buf[t + 1] !== last[at + 1] || buf[t + 3] !== last[at + 3] || buf[t + 4] !== last[at + 4]) {
            const mc = this.minuteCodes;
            for (let k = 0; k < 6; k++) mc[11 + k] = buf[t + k]!;
          }
          this.time = isoSecond(this.minuteCodes, buf[t + 6]!, buf[t + 7]!);
          for (let k = at; k <= i; k++) last[k] = buf[start + k]!;
          this.keepWords();
          return start + pl + 1;
        }
      }
    }
    let plen = 0;
    if (len >= 25 && buf[start + 3] === 32 && buf[start + 7] === 32 && buf[start + 10] === 32 && buf[start + 13] === 58 && buf[start + 16] === 58 && buf[start + 19] === 32 && buf[start + 24] === 32) {
      if (
        dig(buf[start + 11]) && dig(buf[start + 12]) && dig(buf[start + 14]) && dig(buf[start + 15]) && dig(buf[start + 17]) && dig(buf[start + 18]) &&
        dig(buf[start + 20]) && dig(buf[start + 21]) && dig(buf[start + 22]) && dig(buf[start + 23]) && dig(buf[start + 9]) &&
        (buf[start + 8] === 32 || dig(buf[start + 8])) &&
        DAY.has((buf[start]! << 16) | (buf[start + 1]! << 8) | buf[start + 2]!) &&
        MON.has((buf[start + 4]! << 16) | (buf[start + 5]! << 8) | buf[start + 6]!)
      ) {
        plen = 24;
      }
    } else if (len >= 18 && buf[start + 8] === 32 && buf[start + 11] === 58 && buf[start + 14] === 58 && buf[start + 17] === 32) {
      let ok = true;
      for (let i = 0; i < 17; i++) if (i !== 8 && i !== 11 && i !== 14 && !dig(buf[start + i])) ok = false;
      if (ok) plen = 17;
    }
    if (plen === 0) return -1;
    const p = parsePrefix(buf.toString('latin1', start, start + plen + 1));
    if (p.time === null || (p.shape !== 'ctime' && p.shape !== 'win')) return -1;
    this.time = p.time;
    buf.copy(this.last, 0, start, start + plen);
    this.lastLen = plen;
    this.todAt = plen === 24 ? 11 : 9;
    for (let k = 0; k < 17; k++) this.minuteCodes[k] = p.time.charCodeAt(k);
    this.keepWords();
    return start + plen + 1;
  }

  private keepWords(): void {
    const v = this.lastView;
    this.w0 = v.getInt32(0, true);
    this.w1 = v.getInt32(4, true);
    this.w2 = v.getInt32(8, true);
    this.w3 = v.getInt32(12, true);
    this.w4 = v.getInt32(16, true);
    this.w5 = v.getInt32(20, true);
  }
}

/**
 * True when the byte lanes may read this chunk's lines: no NUL (the decoder drops it), no CR outside a
 * CRLF (the regexes' `.` would stop at it), and no CR as its last byte (its LF, if any, is in the next
 * chunk). A line that starts in one chunk is handled with the next one: the caller also requires the
 * previous chunk to be clean.
 */
export function cleanForBytes(chunk: Uint8Array): boolean {
  const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return buf.indexOf(0) === -1 && !hasLoneCR(buf) && (buf.length === 0 || buf[buf.length - 1] !== 13);
}

/** Decides, chunk by chunk, whether the byte lanes may read the lines handled with it. */
export class ChunkGate {
  /** Whether the line left unfinished so far (from its first chunk on) is clean. */
  private prevClean = true;

  /**
   * True when this chunk is clean and so is every chunk of the line the previous ones left
   * unfinished (it is handled with this one). A chunk with no newline continues that line, which
   * then also spans it: a line can span many chunks (up to 1 MiB).
   */
  accept(chunk: Uint8Array): boolean {
    const clean = cleanForBytes(chunk);
    const ok = clean && this.prevClean;
    this.prevClean = chunk.indexOf(10) !== -1 ? clean : ok;
    return ok;
  }
}

/** True when the chunk holds a CR that is not part of a CRLF (the regexes' `.` would stop at it). */
function hasLoneCR(chunk: Buffer): boolean {
  let at = chunk.indexOf(13);
  while (at !== -1) {
    if (at + 1 < chunk.length && chunk[at + 1] !== 10) return true;
    at = chunk.indexOf(13, at + 1);
  }
  return false;
}
