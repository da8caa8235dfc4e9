/**
 * Byte-level reading of the object path in `Written file:`, `Rewritten file:` and `Sending file :`
 * messages (reference §2.1, §2.4, §3): patient folder, series UID and `time(NULL)` token of a
 * FileNameSyntax 3/4 name, without decoding the line. Four lines in five of a busy router log are
 * one of these; the analysis lane (the forensic engine needs only these keys) and the index (the
 * `events` view's patient and series columns) use it.
 *
 * It answers only where `parseConquestPath` takes its 3/4 fast path and would give the same values;
 * anything else (other syntaxes, blanks to trim, a name that does not fit) returns null and the
 * line goes through the full parser. A folder/series pair seen recently comes back as the very same
 * strings, so the maps keyed by them hash each once instead of once per line.
 */
import { WordView, wordsOf } from '../wordView.js';

export interface ObjectPathKeys {
  patientFolder: string;
  seriesUid: string;
  fileTime: number;
}

/** The kinds whose messages ObjectPathReader reads. */
export const OBJECT_PATH_KINDS: ReadonlySet<string> = new Set(['written-file', 'rewritten-file', 'sending-file']);

const WRITTEN = Buffer.from('Written file: ', 'latin1');
const REWRITTEN = Buffer.from('Rewritten file: ', 'latin1');
const SENDING = Buffer.from('Sending file : ', 'latin1');
const SENDING2 = Buffer.from('Sending file: ', 'latin1');
/** Cache slots (direct-mapped by a hash of the folder and series bytes). */
const SLOTS = 256;
/** Keys longer than this are decoded every time (UIDs are at most 64 characters). */
const MAX_KEY = 160;

interface Slot {
  len: number;
  bytes: Buffer;
  /** The key's first `len >> 2` 32-bit words (little-endian), compared before its last bytes. */
  words: Int32Array;
  /** The word of its last four bytes (when it has four): with `words` it covers the whole key. */
  tail: number;
  patientFolder: string;
  seriesUid: string;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Bytes String.prototype.trim would remove when the line is read as latin1. */
function isTrimmed(c: number): boolean {
  return (c >= 9 && c <= 13) || c === 32 || c === 0xa0;
}

/**
 * The byte a digit run read backwards from `i` stops at: the first j <= i (down to p - 1) where
 * `j >= p && isDigit(buf[j])` fails, as the byte loop finds it. Four bytes at a time through `dv` (a
 * view of `buf`): a Buffer byte costs about 18 instructions here, and a word about as much as one.
 */
function digitsBack(buf: Buffer, dv: DataView, i: number, p: number): number {
  while (i - 3 >= p) {
    // 0x80 in each byte of the word that is not an ASCII digit: x = byte ^ '0' is 0..9 for a
    // digit; (x & 0x7f) + 0x76 sets the high bit from 10 up without carrying into the next byte,
    // and `| x` adds the bytes that had it already.
    const x = dv.getInt32(i - 3, true) ^ 0x30303030;
    const nonDigit = (((x & 0x7f7f7f7f) + 0x76767676) | x) & 0x80808080;
    // The highest such byte is the one nearest to i (little-endian: byte k of the word is i - 3 + k).
    if (nonDigit !== 0) return i - 3 + ((31 - Math.clz32(nonDigit)) >> 3);
    i -= 4;
  }
  while (i >= p && isDigit(buf[i]!)) i--;
  return i;
}

/** The number four ASCII digits in a little-endian word stand for (its first byte the most significant). */
function digits4(w: number): number {
  return (w & 15) * 1000 + ((w >>> 8) & 15) * 100 + ((w >>> 16) & 15) * 10 + ((w >>> 24) & 15);
}

function startsWith(buf: Buffer, at: number, end: number, lit: Buffer): boolean {
  const n = lit.length;
  if (end - at < n) return false;
  for (let i = 0; i < n; i++) if (buf[at + i] !== lit[i]) return false;
  return true;
}

export class ObjectPathReader {
  private readonly slots: (Slot | null)[] = new Array<Slot | null>(SLOTS).fill(null);
  private readonly view = new WordView();

  /**
   * The fields of a message the catalog classified as `written-file`, `rewritten-file` or
   * `sending-file`, in bytes
   * [m, end) (the line without its prefix), or null when the full parser must read it.
   *
   * One backward pass: extension, time token, image and series numbers; then the folder and series
   * are either the cached key of their slot (one tight compare) or scanned and checked (byte loops
   * cost about 2 ns a byte here).
   */
  read(buf: Buffer, m: number, end: number): ObjectPathKeys | null {
    let p: number;
    const c0 = buf[m];
    if (c0 === 87 && buf[m + 12] === 58 && buf[m + 13] === 32) p = m + WRITTEN.length;
    else if (c0 === 82 && buf[m + 14] === 58 && buf[m + 15] === 32) p = m + REWRITTEN.length;
    else {
      let s = m;
      while (s < end && (buf[s] === 9 || buf[s] === 32)) s++;
      if (startsWith(buf, s, end, WRITTEN)) p = s + WRITTEN.length;
      else if (startsWith(buf, s, end, REWRITTEN)) p = s + REWRITTEN.length;
      else if (startsWith(buf, s, end, SENDING)) p = s + SENDING.length;
      else if (startsWith(buf, s, end, SENDING2)) p = s + SENDING2.length;
      else return null;
    }
    if (end - p < 22 || isTrimmed(buf[p]!) || isTrimmed(buf[end - 1]!)) return null;
    // `.dcm` or `.v2`, any case (the 3/4 pattern is case-insensitive; `| 32` lower-cases a letter, but
    // would also turn 0x12 into '2', so the digit is compared exactly).
    let i: number;
    const e1 = buf[end - 1]! | 32;
    if (e1 === 109 && buf[end - 4] === 46 && (buf[end - 3]! | 32) === 100 && (buf[end - 2]! | 32) === 99) i = end - 5;
    else if (buf[end - 1] === 50 && buf[end - 3] === 46 && (buf[end - 2]! | 32) === 118) i = end - 4;
    else return null;
    // `_<time: 9 or 10 digits><counter: 4 hex>`
    if (!isHex(buf[i]!) || !isHex(buf[i - 1]!) || !isHex(buf[i - 2]!) || !isHex(buf[i - 3]!)) return null;
    const counterAt = i - 3;
    const dv = this.view.of(buf);
    i = digitsBack(buf, dv, i - 4, p);
    const digits = counterAt - i - 1;
    if ((digits !== 9 && digits !== 10) || buf[i] !== 95) return null;
    let fileTime = 0;
    if (digits === 10) {
      // Ten digits checked above, as three words (the last overlaps the second by two digits).
      fileTime = digits4(dv.getInt32(i + 1, true)) * 1e6 + digits4(dv.getInt32(i + 5, true)) * 100 + (digits4(dv.getInt32(i + 7, true)) % 100);
    } else for (let k = i + 1; k < counterAt; k++) fileTime = fileTime * 10 + (buf[k]! - 48);
    // `_<-?digits>_<-?digits>` (series and image numbers), read backwards.
    for (let g = 0; g < 2; g++) {
      const d0 = --i;
      i = digitsBack(buf, dv, i, p);
      if (i === d0) return null;
      if (buf[i] === 45) i--;
      if (buf[i] !== 95) return null;
    }
    const seriesEnd = i;
    if (seriesEnd - p < 3) return null;
    // A recent key (folder, separator, series) in the slot picked by the series' length and tail.
    const at = ((seriesEnd - p) * 31 + buf[seriesEnd - 1]! * 7 + buf[seriesEnd - 2]! * 3 + buf[seriesEnd - 3]!) & (SLOTS - 1);
    const slot = this.slots[at] ?? null;
    if (slot !== null) {
      // The cached key, if it is this one, ends at seriesEnd: compare it from the end (series UIDs of
      // one site differ at their tails), then check that a separator or the path's start precedes it.
      // Its bytes were checked when it was cached, so equal bytes mean the same folder and series.
      const klen = slot.len;
      const ks = seriesEnd - klen;
      if (ks >= p && (ks === p || buf[ks - 1] === 47 || buf[ks - 1] === 92)) {
        const kb = slot.bytes;
        const kw = slot.words;
        const nw = klen >> 2;
        let tailSame: boolean;
        if (klen >= 4) tailSame = dv.getInt32(seriesEnd - 4, true) === slot.tail;
        else {
          let k = klen - 1;
          while (k >= 0 && kb[k] === buf[ks + k]) k--;
          tailSame = k < 0;
        }
        if (tailSame) {
          let w = nw - 1;
          while (w >= 0 && dv.getInt32(ks + (w << 2), true) === kw[w]) w--;
          if (w < 0) return { patientFolder: slot.patientFolder, seriesUid: slot.seriesUid, fileTime };
        }
      }
    }
    // The series UID back to the last separator, then the folder back to the one before.
    i = seriesEnd - 1;
    for (; i >= p; i--) {
      const c = buf[i]!;
      if (c === 47 || c === 92) break;
      if (!isDigit(c) && c !== 46) return null;
    }
    const last = i;
    if (last <= p || last === seriesEnd - 1) return null;
    for (i = last - 1; i >= p; i--) {
      const c = buf[i]!;
      if (c === 47 || c === 92) break;
    }
    const ks = i + 1;
    if (ks === last) return null;
    const patientFolder = buf.toString('latin1', ks, last);
    const seriesUid = buf.toString('latin1', last + 1, seriesEnd);
    const klen = seriesEnd - ks;
    if (klen <= MAX_KEY) {
      const bytes = slot !== null ? slot.bytes : Buffer.allocUnsafe(MAX_KEY);
      buf.copy(bytes, 0, ks, seriesEnd);
      const words = wordsOf(bytes, 0, klen >> 2, slot !== null ? slot.words : new Int32Array(MAX_KEY >> 2));
      this.slots[at] = { len: klen, bytes, words, tail: klen >= 4 ? bytes.readInt32LE(klen - 4) : 0, patientFolder, seriesUid };
    }
    return { patientFolder, seriesUid, fileTime };
  }
}
