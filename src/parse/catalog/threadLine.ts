/**
 * Byte-level reading of the thread number in `UPACS THREAD n: …` messages (reference §2.3), the
 * start, end and running-time lines of every association. Their regexes with named groups (and
 * the start and end lines' ctime) cost about two microseconds a line, and their texts carry a
 * time, so the classifier's memo never answers them. A consumer that reads only `thread` of these
 * (the forensic engine) gets it from here. Only for a message the catalog already classified as one
 * of THREAD_LINE_KINDS: it then matches `^UPACS THREAD (\d+):` after its leading blanks.
 */

/** The kinds whose messages start `UPACS THREAD n:`. */
export const THREAD_LINE_KINDS: ReadonlySet<string> = new Set(['thread-start', 'thread-end', 'thread-runtime']);

const UPACS = Buffer.from('UPACS THREAD ', 'latin1');
/** More digits than this could lose precision as a double: the full parser reads them. */
const MAX_DIGITS = 15;

/** The thread number in bytes [m, end), as the catalog's `int` value gives it, or null (then the full parser reads the line). */
export function readThreadNumber(buf: Buffer, m: number, end: number): number | null {
  let p = m;
  while (p < end && (buf[p] === 9 || buf[p] === 32)) p++;
  if (end - p < UPACS.length + 2) return null;
  for (let i = 0; i < UPACS.length; i++) if (buf[p + i] !== UPACS[i]) return null;
  p += UPACS.length;
  const d0 = p;
  let n = 0;
  while (p < end && buf[p]! >= 48 && buf[p]! <= 57) n = n * 10 + (buf[p++]! - 48);
  if (p === d0 || p - d0 > MAX_DIGITS || p >= end || buf[p] !== 58) return null;
  return n;
}
