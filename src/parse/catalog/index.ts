/**
 * The message catalog: all rows, compiled once into a dispatch table keyed on the first three
 * characters of each row's literal start, so a line is tested against a handful of patterns
 * rather than all of them.
 */
import type { Fields } from '../event.js';
import type { CatalogRow } from './types.js';
import { setValue } from './values.js';
import { WordView, wordsOf } from '../wordView.js';
import { compileByteShape, matchByteShape, shapeAfter, type ByteShape } from './byteShape.js';
import { associationRows } from './rows/association.js';
import { moveRows } from './rows/move.js';
import { storageRows } from './rows/storage.js';
import { consistencyRows } from './rows/consistency.js';
import { virtualRows } from './rows/virtual.js';
import { systemRows } from './rows/system.js';
import { converterRows } from './rows/converter.js';
import { databaseRows } from './rows/database.js';
import { miscRows } from './rows/misc.js';
import { maintenanceRows } from './rows/maintenance.js';
import { objectRows } from './rows/objects.js';
import { codecRows } from './rows/codec.js';
import { exportRows } from './rows/export.js';

export type { CatalogRow } from './types.js';
export { FALLBACK_KINDS } from './types.js';

/** Every row, in priority order: within a dispatch bucket the first row that matches wins. */
export const CATALOG: readonly CatalogRow[] = [
  ...associationRows,
  ...moveRows,
  ...storageRows,
  ...consistencyRows,
  ...virtualRows,
  ...converterRows,
  ...databaseRows,
  ...systemRows,
  ...miscRows,
  ...objectRows,
  ...exportRows,
  ...maintenanceRows,
  ...codecRows,
];

/** The named capture groups of a row's pattern, in order. */
function groupNames(row: CatalogRow): string[] {
  return row.pattern.source.match(/\(\?<([A-Za-z_]\w*)>/g)?.map((g) => g.slice(3, -1)) ?? [];
}

interface CompiledRow {
  row: CatalogRow;
  literal: string;
  groups: [string, NonNullable<CatalogRow['values']>[string]][];
}

/** The literal text every match of an anchored pattern must start with (may be ''). */
export function literalStart(re: RegExp): string {
  const src = re.source;
  if (!src.startsWith('^')) return '';
  let out = '';
  for (let i = 1; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) break;
      if (/[dDwWsSbBnrtfv0-9xuckp]/.test(n)) {
        if (n === 't') {
          out += '\t';
          i++;
          continue;
        }
        break;
      }
      out += n;
      i++;
      continue;
    }
    if ('.[]()*+?{}|^$'.includes(c)) {
      // A quantifier applies to the previous char: drop it when it can repeat zero times.
      if ((c === '?' || c === '*' || c === '{') && out.length > 0) out = out.slice(0, -1);
      break;
    }
    out += c;
  }
  return re.flags.includes('i') ? '' : out;
}

/**
 * The literal starts of a pattern that begins with a group of alternatives, `^(?:Abc…|Def…)` or
 * `^(?<name>Abc…|Def…)`, possibly after a short literal (`^\((?<model>Abc…|Def…)`; nested groups at
 * the start of an alternative are followed): one per
 * alternative, or [] when any alternative has no literal start of three characters or the group
 * may be skipped.
 */
export function alternativeStarts(re: RegExp): string[] {
  if (re.flags.includes('i') || !re.source.startsWith('^')) return [];
  return startsOf(re.source.slice(1), 0);
}

function startsOf(src: string, depthLimit: number): string[] {
  let lit: string;
  try {
    lit = literalStart(new RegExp('^' + src));
  } catch {
    return [];
  }
  if (lit.length >= KEY_LEN) return [lit];
  // A short literal before the group, `^\((?<model>PatientRoot|StudyRoot…)Query\)`: it leads every start.
  const lead = /^(?:[^\\.[\]()*+?{}|^$]|\\[^dDwWsSbBnrtfv0-9xuckp])+(?=\((?:\?:|\?<[A-Za-z_]\w*>))/.exec(src);
  if (lead && lit.length > 0 && depthLimit <= 3) return startsOf(src.slice(lead[0].length), depthLimit + 1).map((x) => lit + x);
  const open = /^\((?:\?:|\?<[A-Za-z_]\w*>)/.exec(src);
  if (!open || depthLimit > 3) return [];
  const alts: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = open[0].length;
  let i = from;
  for (; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) break;
      depth--;
    } else if (c === '|' && depth === 0) {
      alts.push(src.slice(from, i));
      from = i + 1;
    }
  }
  if (i >= src.length) return [];
  alts.push(src.slice(from, i));
  const next = src[i + 1];
  if (next !== undefined && '?*{'.includes(next)) return [];
  const out: string[] = [];
  for (const a of alts) {
    const starts = startsOf(a, depthLimit + 1);
    if (starts.length === 0) return [];
    out.push(...starts);
  }
  return out;
}

const KEY_LEN = 3;
function keyOf(s: string): string {
  return s.length >= KEY_LEN ? s.slice(0, KEY_LEN) : s;
}

class Classifier {
  private readonly buckets = new Map<string, CompiledRow[]>();
  private readonly loose: CompiledRow[] = [];

  constructor(rows: readonly CatalogRow[]) {
    for (const row of rows) {
      const names = groupNames(row);
      const compiled: CompiledRow = {
        row,
        literal: literalStart(row.pattern),
        groups: names.map((n) => [n, row.values?.[n] ?? 'string']),
      };
      // A pattern opening with a group of literal alternatives is filed under each of them.
      const starts = compiled.literal.length >= KEY_LEN ? [compiled.literal] : alternativeStarts(row.pattern);
      if (starts.length > 0) {
        for (const literal of starts) {
          const k = keyOf(literal);
          let b = this.buckets.get(k);
          if (!b) this.buckets.set(k, (b = []));
          if (!b.some((e) => e.row === row && literal.startsWith(e.literal))) b.push({ ...compiled, literal });
        }
      } else {
        this.loose.push(compiled);
      }
    }
  }

  /** The row matching a message (leading blanks already removed), or null. */
  find(body: string, firstLine: string): { row: CatalogRow; match: RegExpExecArray; compiled: CompiledRow } | null {
    const bucket = this.buckets.get(keyOf(firstLine));
    if (bucket) {
      for (const c of bucket) {
        if (!firstLine.startsWith(c.literal)) continue;
        const m = c.row.pattern.exec(c.row.multiline ? body : firstLine);
        if (m) return { row: c.row, match: m, compiled: c };
      }
    }
    for (const c of this.loose) {
      if (c.literal.length > 0 && !firstLine.startsWith(c.literal)) continue;
      const text = c.row.multiline ? body : firstLine;
      if (c.row.contains !== undefined && !text.includes(c.row.contains)) continue;
      const m = c.row.pattern.exec(text);
      if (m) return { row: c.row, match: m, compiled: c };
    }
    return null;
  }

  bucketEntries(): IterableIterator<[string, CompiledRow[]]> {
    return this.buckets.entries();
  }

  /** How the rows were dispatched: bucket count, and the loose rows (no 3-character literal start). */
  stats(): { buckets: number; loose: { kind: string; literal: string; contains: string | undefined }[] } {
    return {
      buckets: this.buckets.size,
      loose: this.loose.map((c) => ({ kind: c.row.kind, literal: c.literal, contains: c.row.contains })),
    };
  }
}

let classifier: Classifier | null = null;
function getClassifier(): Classifier {
  return (classifier ??= new Classifier(CATALOG));
}

export interface Classification {
  kind: string;
  fields: Fields;
  row: CatalogRow | null;
}

/** Strips the blanks the GUI or dgate put before a message (`\tCalling…`, ` *** Restarted…`). */
function stripLead(s: string): string {
  const c = s.charCodeAt(0);
  return c === 9 || c === 32 ? s.replace(/^[\t ]+/, '') : s;
}

/**
 * Recent classifications by text. An association's frame lines (AE titles, presentation contexts,
 * `Number of images to send: N`, `C-Move (PatientRoot)`) repeat a few texts all day, while a regex
 * with named groups costs half a microsecond or more a line. Two generations of at most MEMO_SIZE
 * texts: a text seen again within about that many distinct ones is answered from here. A row whose
 * texts rarely come back (a thread's start with its time) stops being kept after MEMO_TRIAL of
 * them. Only results whose fields are all plain values are kept, and every answer gets its own
 * copy of them (a caller may add to an event's fields).
 */
const MEMO_SIZE = 2048;
/** Longer texts are not kept (hashing them costs more than they are likely to save). */
const MEMO_MAX_TEXT = 200;
/** Texts of a row kept before its hits are judged: fewer than one in MEMO_MIN_HIT_RATIO… */
const MEMO_TRIAL = 1024;
const MEMO_MIN_HIT_RATIO = 4;
let memoNew = new Map<string, Classification>();
let memoOld = new Map<string, Classification>();
/** Per row (null: unmatched texts): texts kept and hits, while on trial; `false` once not worth keeping. */
const memoRows = new Map<CatalogRow | null, { kept: number; hits: number } | false>();

function remembered(text: string): Classification | undefined {
  let c = memoNew.get(text);
  if (c === undefined) {
    c = memoOld.get(text);
    if (c === undefined) return undefined;
    memoNew.set(text, c);
  }
  const trial = memoRows.get(c.row);
  if (trial) trial.hits++;
  return c;
}

function remember(text: string, c: Classification): void {
  let trial = memoRows.get(c.row);
  if (trial === false) return;
  if (trial === undefined) memoRows.set(c.row, (trial = { kept: 0, hits: 0 }));
  if (++trial.kept >= MEMO_TRIAL && trial.hits * MEMO_MIN_HIT_RATIO < trial.kept) {
    memoRows.set(c.row, false);
    return;
  }
  for (const k in c.fields) if (typeof c.fields[k] === 'object' && c.fields[k] !== null) return;
  if (memoNew.size >= MEMO_SIZE) {
    memoOld = memoNew;
    memoNew = new Map();
  }
  memoNew.set(text, { kind: c.kind, fields: { ...c.fields }, row: c.row });
}

/** Classifies one message text (prefix removed). Unmatched `***` lines are `error`; others `unknown`. */
export function classify(text: string, wantFields = true): Classification {
  if (text.length > MEMO_MAX_TEXT) return classifyText(text, wantFields);
  const known = remembered(text);
  if (known !== undefined) return { kind: known.kind, fields: wantFields ? { ...known.fields } : {}, row: known.row };
  const c = classifyText(text, wantFields);
  if (wantFields) remember(text, c);
  return c;
}

function classifyText(text: string, wantFields: boolean): Classification {
  const body = stripLead(text);
  if (body.length === 0) return { kind: 'blank', fields: {}, row: null };
  const nl = body.indexOf('\n');
  const firstLine = nl === -1 ? body : body.slice(0, nl);
  const hit = getClassifier().find(body, firstLine);
  if (hit) {
    const fields: Fields = {};
    if (wantFields) {
      const groups = hit.match.groups ?? {};
      for (const [name, kind] of hit.compiled.groups) setValue(fields, name, kind, groups[name]);
      if (hit.row.fixed) Object.assign(fields, hit.row.fixed);
    }
    return { kind: hit.row.kind, fields, row: hit.row };
  }
  // Reference §1.1 step 5 / §5: any other line containing *** is an error (it is also in PacsTrouble.log).
  if (firstLine.includes('***')) return { kind: 'error', fields: wantFields ? { message: firstLine.replace(/^\*+\s*/, '') } : {}, row: null };
  return { kind: 'unknown', fields: {}, row: null };
}

/**
 * How a row's pattern continues after its literal start, when that alone decides a match:
 * any rest (`.*`), a non-empty rest (`.+`), nothing (`$`), or a rest ending in a literal suffix.
 */
type Tail = { min: number; suffix: string; exact: boolean } | null;

/** The tail of a pattern after `literal`, when it is `(?<x>.+)$`, `(?<x>.*)$`, `.+$`, `.*$` or `$`. */
function simpleTail(row: CatalogRow, literal: string): Tail {
  if (row.multiline || row.pattern.flags.replace(/[gu]/g, '') !== '' || literalStart(row.pattern) !== literal) return null;
  // Find where the literal ends in the source: re-escape it the way the rows are written.
  const esc = literal.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&').replace(/\t/g, '\\t');
  const src = row.pattern.source;
  if (!src.startsWith('^' + esc)) return null;
  const rest = src.slice(1 + esc.length);
  if (rest === '$') return { min: 0, suffix: '', exact: true };
  const m = /^(?:\(\?<\w+>\.([+*])\)|\.([+*]))((?:[^\\^$.*+?()[\]{}|]|\\[^A-Za-z0-9])*)\$$/.exec(rest);
  if (!m) return null;
  const suffix = m[3]!.replace(/\\(.)/g, '$1');
  if (/[^\x00-\xff]/.test(suffix)) return null;
  return { min: (m[1] ?? m[2]) === '+' ? 1 : 0, suffix, exact: false };
}

interface ByteRow {
  lit: Buffer;
  /** The literal's bytes from the fourth on, as little-endian 32-bit words (whole words only; the rest is compared by bytes). */
  litWords: Int32Array;
  kind: string;
  tail: Tail;
  suffix: Buffer;
  /** The row's regex, run on the decoded message when the tail needs it; null for multiline rows. */
  pattern: RegExp | null;
  /** The same test on the bytes after the literal, when the regex compiles to one (byteShape.ts). */
  shape: ByteShape | null;
  /**
   * True when a message's first START_KEY bytes settle whether this row is the one that matches,
   * given its length and tail: its literal fits in them, it needs no regex, and so does every
   * literal before it in its bucket (see recentStarts).
   */
  keyed: boolean;
}

/** The byte rows by their first three bytes: indexed by the first two, then by the third (two array loads, no hashing). */
type ByteTable = ((ByteRow[] | undefined)[] | undefined)[];
let byteBuckets: ByteTable | null = null;
const words = new WordView();

/**
 * Recent message starts and the row they led to. Most lines of a router's log start with one of a
 * few texts (`Written file: `, `Sending file : `): a line whose first START_KEY bytes equal a recent
 * one's reaches the same row in its bucket, past the same literal mismatches, when that row is
 * `keyed`; only the row's tail (length, suffix) is then checked again. That costs four word
 * compares instead of the bucket walk.
 */
const START_KEY = 16;
const RECENT_STARTS = 4;
const recentStartWords = new Int32Array(RECENT_STARTS * 4);
const recentStartRows: (ByteRow | null)[] = new Array<ByteRow | null>(RECENT_STARTS).fill(null);
let recentStartNext = 0;

/** Forgets the recent message starts (tests: an answer must not depend on the lines before). */
export function forgetRecentStarts(): void {
  recentStartRows.fill(null);
  recentStartWords.fill(0);
  recentStartNext = 0;
}

/** The row's tail holds for a message of `len` bytes (after its leading blanks) ending at `end`, its literal matched. */
function tailHolds(row: ByteRow, buf: Buffer, len: number, end: number): boolean {
  const tail = row.tail!;
  const rest = len - row.lit.length;
  const suffix = row.suffix;
  const sn = suffix.length;
  if (rest < tail.min + sn) return false;
  for (let i = 0; i < sn; i++) if (buf[end - sn + i] !== suffix[i]) return false;
  return !(tail.exact && rest !== 0);
}

function buildByteBuckets(): ByteTable {
  const out: ByteTable = new Array<(ByteRow[] | undefined)[] | undefined>(65536).fill(undefined);
  for (const [key, rows] of getClassifier().bucketEntries()) {
    if (key.length < 3 || /[^\x00-\xff]/.test(key)) continue;
    const k2 = (key.charCodeAt(0) << 8) | key.charCodeAt(1);
    const third = (out[k2] ??= new Array<ByteRow[] | undefined>(256).fill(undefined));
    let fits = true;
    third[key.charCodeAt(2)] = rows.map((c) => {
      const tail = /[^\x00-\xff]/.test(c.literal) ? null : simpleTail(c.row, c.literal);
      const lit = Buffer.from(c.literal, 'latin1');
      const litWords = wordsOf(lit, 3, Math.max(0, (lit.length - 3) >> 2));
      const pattern = c.row.multiline ? null : c.row.pattern;
      const whole = tail === null && pattern !== null && !/[^\x00-\xff]/.test(c.literal) ? compileByteShape(pattern) : null;
      const shape = whole !== null ? shapeAfter(whole, lit) : null;
      fits &&= lit.length <= START_KEY;
      return { lit, litWords, kind: c.row.kind, tail, suffix: Buffer.from(tail?.suffix ?? '', 'latin1'), pattern, shape, keyed: fits && tail !== null };
    });
  }
  return out;
}

/**
 * The kind of a message decided from its latin1 bytes alone, or null when only the full
 * classifier can tell (a row whose pattern needs its regex, a loose row, `error`, `unknown`).
 * Same answer as `classify` whenever it answers: rows are tried in bucket order, and a row
 * whose literal matches but whose rest needs more is tested by its byte shape or its own regex.
 * Only for bytes with no CR or LF (callers read lines of chunks ChunkGate or cleanForBytes passed):
 * like the `.+`/`.*` tails, the byte shapes take the rest of a line to hold no line terminator.
 */
export function classifyBytes(buf: Buffer, start: number, end: number): string | null {
  const buckets = (byteBuckets ??= buildByteBuckets());
  let s = start;
  while (s < end && (buf[s] === 9 || buf[s] === 32)) s++;
  if (end - s < 3) return null;
  const len = end - s;
  const dv = words.of(buf);
  let k0 = 0;
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  const keyable = len >= START_KEY;
  if (keyable) {
    k0 = dv.getInt32(s, true);
    k1 = dv.getInt32(s + 4, true);
    k2 = dv.getInt32(s + 8, true);
    k3 = dv.getInt32(s + 12, true);
    const w = recentStartWords;
    for (let e = 0; e < RECENT_STARTS; e++) {
      const o = e << 2;
      if (w[o] === k0 && w[o + 1] === k1 && w[o + 2] === k2 && w[o + 3] === k3) {
        const row = recentStartRows[e];
        // An empty entry (zero words, no row) matches sixteen NUL bytes: the walk decides.
        if (row === null || row === undefined) break;
        if (tailHolds(row, buf, len, end)) return row.kind;
        break; // the walk below decides, as it would without this
      }
    }
  }
  const third = buckets[(buf[s]! << 8) | buf[s + 1]!];
  if (third === undefined) return null;
  const rows = third[buf[s + 2]!];
  if (rows === undefined) return null;
  let text: string | null = null;
  // True once a row before this one matched its literal: the start alone then no longer settles the answer.
  let literalMatchedBefore = false;
  outer: for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const lit = row.lit;
    const n = lit.length;
    if (len < n) continue;
    const lw = row.litWords;
    for (let w = 0; w < lw.length; w++) if (dv.getInt32(s + 3 + 4 * w, true) !== lw[w]) continue outer;
    for (let i = 3 + 4 * lw.length; i < n; i++) if (buf[s + i] !== lit[i]) continue outer;
    const settledByStart = !literalMatchedBefore;
    literalMatchedBefore = true;
    if (row.tail === null) {
      // The literal matched but the rest needs the regex: its byte shape where it has one, else
      // this row's own regex, as classify would.
      if (row.shape !== null) {
        if (matchByteShape(row.shape, buf, s + n, end)) return row.kind;
        continue;
      }
      if (row.pattern === null) return null;
      text ??= buf.toString('latin1', s, end);
      if (row.pattern.test(text)) return row.kind;
      continue;
    }
    // tailHolds(), written out: as a call here it costs 0.6 % of the instructions of `stats`.
    const tail = row.tail;
    const rest = len - n;
    const sn = row.suffix.length;
    if (rest < tail.min + sn) continue;
    for (let i = 0; i < sn; i++) if (buf[end - sn + i] !== row.suffix[i]) continue outer;
    if (tail.exact && rest !== 0) continue;
    if (keyable && settledByStart && row.keyed) {
      const e = recentStartNext;
      recentStartNext = (e + 1) % RECENT_STARTS;
      const o = e << 2;
      recentStartWords[o] = k0;
      recentStartWords[o + 1] = k1;
      recentStartWords[o + 2] = k2;
      recentStartWords[o + 3] = k3;
      recentStartRows[e] = row;
    }
    return row.kind;
  }
  return null;
}

/** Dispatch statistics of the compiled catalog (tests keep the loose list short). */
export function catalogStats(): ReturnType<Classifier['stats']> {
  return getClassifier().stats();
}

/** The fields the index's `events` view shows as patient, study and series (src/store/eventRows.ts). */
const KEY_FIELDS = new Set(['patientId', 'patientFolder', 'studyUid', 'seriesUid']);

/** Kinds whose rows capture a patient, study or series (directly, or through a parsed object path). */
export const KEY_FIELD_KINDS: ReadonlySet<string> = new Set(
  CATALOG.filter((r) => {
    const names = groupNames(r);
    return names.some((n) => KEY_FIELDS.has(n) || r.values?.[n] === 'path') || Object.keys(r.fixed ?? {}).some((k) => KEY_FIELDS.has(k));
  }).map((r) => r.kind),
);

/** Every kind the catalog can produce, with the fallbacks. */
export function allKinds(): string[] {
  const kinds = new Set<string>(['blank', 'error', 'unknown']);
  for (const r of CATALOG) kinds.add(r.kind);
  return [...kinds].sort();
}
