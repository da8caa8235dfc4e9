/**
 * A catalog row's regex as a test on the line's latin1 bytes, for the rows whose literal start does
 * not settle the kind: the association frame (`UPACS THREAD (?<thread>\d+): ENDED AT: (?<endedAt>.*)$`,
 * `Presentation Context (?<index>\d+) "(?<abstractSyntax>.*)" (?<enabled>-?\d+)$`) and a few
 * more that every association prints. Decoding such a line and running its regex costs 300–600 ns
 * here; this test, some tens.
 *
 * Only one shape of pattern compiles, one whose matches are found without backtracking:
 * `^`, literal text, digit runs (`\d+`, `-?\d+`), at most one "anything" (`.*` or `.+`), `$`, where
 * each digit run touches a literal that does not end (or start) in a digit or `-` on the side away
 * from the "anything". The part before the anything is then matched forwards and the part after it
 * backwards, each in one way only, and the pattern matches when they do not overlap. Any other
 * pattern gives null and its regex decides as before. A test compares every compiled row with its
 * regex on its samples and on mutations of them.
 *
 * The anything is taken to hold no line terminator: the byte lanes only read lines of chunks
 * with no CR outside a CRLF (ChunkGate), and a line never holds an LF.
 */

const LIT = 0;
const DIGITS = 1;
/** One shape for both kinds of token (a literal's bytes, or a digit run with or without its minus), so the matcher's reads stay monomorphic. */
interface ShapeToken {
  type: typeof LIT | typeof DIGITS;
  bytes: Uint8Array;
  minus: boolean;
}
const NO_BYTES = new Uint8Array(0);

export interface ByteShape {
  /** Matched forwards from the message's start. */
  head: ShapeToken[];
  /** Matched backwards from its end. */
  tail: ShapeToken[];
  /** The least length of the anything between them; -1 when the pattern has none (head must reach the end). */
  anyMin: number;
}

const SPECIAL = new Set(['^', '$', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '\\']);

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 48 && b <= 57;
}

/** The shape of `re`, or null when it is not of the one shape that compiles. */
export function compileByteShape(re: RegExp): ByteShape | null {
  if (re.flags !== '' && re.flags !== 'u') return null;
  const src = re.source;
  if (!src.startsWith('^') || !src.endsWith('$') || src.endsWith('\\$')) return null;
  const body = src.slice(1, -1);
  type Item = ShapeToken | { type: 'any'; min: number };
  const digits = (minus: boolean): ShapeToken => ({ type: DIGITS, bytes: NO_BYTES, minus });
  const items: Item[] = [];
  let lit: number[] = [];
  const flush = (): void => {
    if (lit.length > 0) items.push({ type: LIT, bytes: Uint8Array.from(lit), minus: false });
    lit = [];
  };
  let i = 0;
  while (i < body.length) {
    // A named group around one of the non-literal parts, or that part bare.
    let inner = body.slice(i);
    let groupLen = 0;
    const named = /^\(\?<[A-Za-z_]\w*>/.exec(inner);
    if (named) {
      const close = inner.indexOf(')');
      if (close === -1) return null;
      inner = inner.slice(named[0].length, close);
      groupLen = close + 1;
    }
    const part = named ? inner : (/^(?:-\?\\d\+|\\d\+|\.\*|\.\+)/.exec(inner)?.[0] ?? null);
    if (part !== null) {
      flush();
      if (part === '\\d+') items.push(digits(false));
      else if (part === '-?\\d+') items.push(digits(true));
      else if (part === '.*' || part === '.+') items.push({ type: 'any', min: part === '.+' ? 1 : 0 });
      else return null;
      i += named ? groupLen : part.length;
      continue;
    }
    const c = body[i]!;
    let ch: string;
    if (c === '\\') {
      const e = body[i + 1];
      if (e === undefined) return null;
      if (e === 't') ch = '\t';
      else if (/[A-Za-z0-9]/.test(e)) return null;
      else ch = e;
      i += 2;
    } else {
      if (SPECIAL.has(c)) return null;
      ch = c;
      i++;
    }
    const code = ch.charCodeAt(0);
    if (code > 255) return null;
    lit.push(code);
  }
  flush();
  const anyAt = items.findIndex((x) => x.type === 'any');
  if (anyAt !== -1 && items.findIndex((x, k) => k > anyAt && x.type === 'any') !== -1) return null;
  const head = (anyAt === -1 ? items : items.slice(0, anyAt)) as ShapeToken[];
  const tail = (anyAt === -1 ? [] : items.slice(anyAt + 1)) as ShapeToken[];
  // Forwards, a digit run is taken whole: the literal after it must not start with a digit. With
  // no anything, the last run may end the message instead.
  for (let k = 0; k < head.length; k++) {
    const t = head[k]!;
    if (t.type !== DIGITS) continue;
    const next = head[k + 1];
    if (next === undefined ? anyAt !== -1 : next.type !== LIT || isDigit(next.bytes[0])) return null;
  }
  // Backwards, a digit run (and its minus) is taken whole: the literal before it must not end in a digit or `-`.
  for (let k = 0; k < tail.length; k++) {
    const t = tail[k]!;
    if (t.type !== DIGITS) continue;
    const prev = tail[k - 1];
    if (prev === undefined || prev.type !== LIT) return null;
    const last = prev.bytes[prev.bytes.length - 1];
    if (isDigit(last) || last === 45) return null;
  }
  return { head, tail, anyMin: anyAt === -1 ? -1 : (items[anyAt] as { min: number }).min };
}

/** True when bytes [s, end) match the shape (as its regex would match their latin1 text). */
export function matchByteShape(shape: ByteShape, buf: Uint8Array, s: number, end: number): boolean {
  let p = s;
  const head = shape.head;
  for (let k = 0; k < head.length; k++) {
    const t = head[k]!;
    if (t.type === LIT) {
      const b = t.bytes;
      const n = b.length;
      if (end - p < n) return false;
      for (let j = 0; j < n; j++) if (buf[p + j] !== b[j]) return false;
      p += n;
    } else {
      if (t.minus && p < end && buf[p] === 45) p++;
      const d0 = p;
      while (p < end && isDigit(buf[p])) p++;
      if (p === d0) return false;
    }
  }
  if (shape.anyMin < 0) return p === end;
  let q = end;
  const tail = shape.tail;
  for (let k = tail.length - 1; k >= 0; k--) {
    const t = tail[k]!;
    if (t.type === LIT) {
      const b = t.bytes;
      const n = b.length;
      if (q - s < n) return false;
      q -= n;
      for (let j = 0; j < n; j++) if (buf[q + j] !== b[j]) return false;
    } else {
      const d0 = q;
      while (q > s && isDigit(buf[q - 1])) q--;
      if (q === d0) return false;
      if (t.minus && q > s && buf[q - 1] === 45) q--;
    }
  }
  return q - p >= shape.anyMin;
}

/**
 * The shape with its first bytes dropped, for a caller that has already compared them (the
 * catalog's literal start `lit`); null when the shape does not start with those very bytes.
 */
export function shapeAfter(shape: ByteShape, lit: Uint8Array): ByteShape | null {
  const n = lit.length;
  if (n === 0) return shape;
  const first = shape.head[0];
  if (first === undefined || first.type !== LIT || first.bytes.length < n) return null;
  for (let i = 0; i < n; i++) if (first.bytes[i] !== lit[i]) return null;
  const rest = first.bytes.subarray(n);
  const head = rest.length > 0 ? [{ type: LIT, bytes: rest, minus: false } as ShapeToken, ...shape.head.slice(1)] : shape.head.slice(1);
  return { head, tail: shape.tail, anyMin: shape.anyMin };
}
