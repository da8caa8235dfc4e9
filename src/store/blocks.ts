/**
 * Blocks: the index's unit of storage. A block is a run of consecutive physical lines of one source
 * (about BLOCK_LINES lines or BLOCK_BYTES bytes, cut only where a new event starts), kept as its raw
 * bytes compressed with deflate, and indexed in FTS5 as one document: the tokens of its text plus tags
 * for the kinds of its events and the AEs of the associations its lines belong to. A search finds
 * blocks, then reads each back through the same parser the indexer used (src/parse/assemble.ts) and
 * keeps the events that match. One row per block instead of per event is what makes the index small
 * (the text compresses about 5:1) and fast to write (SQLite's cost is per row).
 *
 * What a block needs to be read alone is stored with it (`ctx`): the association stack at its first
 * line, the source's GUI date order and the year of its first event (for syslog lines).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { LogEvent } from '../parse/event.js';
import { EventAssembler, type AssembleOptions, type SyslogResume } from '../parse/assemble.js';
import type { DateOrder } from '../parse/dateOrder.js';
import { decodeLine, LineSplitter } from '../source/lines.js';
import { applyAssociation, ASSOCIATION_KINDS, parseStack, type Frame, type Stack } from './assocStack.js';
import { classify } from '../parse/catalog/index.js';
import { cleanForBytes, fastKind, FastPrefix } from '../pipeline/fastLane.js';
import { ftsDocument } from './tokens.js';

/**
 * Lines per block: a block is closed before the first line starting an event after this many lines
 * (or bytes). Never inside an event, and an event ends after MAX_CONTINUATION_LINES lines or
 * MAX_EVENT_CHARS characters (src/parse/assemble.ts), so a block stays under about 2 MiB.
 */
export const BLOCK_LINES = 256;
export const BLOCK_BYTES = 64 * 1024;
/** zlib level: 1 is several times faster than the default and compresses log text nearly as well. */
const DEFLATE_LEVEL = 1;

/** What a block needs to be parsed alone. */
export interface BlockContext {
  /** The association stack before its first line. */
  s: Stack;
  /** The GUI day/month order in effect at its first line (its lines' own dates still decide). */
  o?: DateOrder;
  /** The year of its first event (syslog lines carry none). */
  y?: number;
  /** Its first line continues an event (no prefix): the time that event had. */
  t?: string | null;
  /** The syslog year state before its first line (base, New Years passed, last syslog month). */
  sy?: SyslogResume;
  /** Offset gaps: pairs (position in the block, bytes missing), where the splitter cut an over-long line. */
  g?: number[];
  /** Decoded as UTF-8 (else latin1). */
  u?: 1;
}

/** A `blocks` row as read for searching. */
export interface BlockRow {
  id: number;
  src: number;
  source: string;
  /** First physical line (1-based) and its byte offset in the source. */
  line: number;
  off: number;
  end_line: number;
  tmin: number | null;
  tmax: number | null;
  ctx: string;
  data: Buffer;
}

/** An event read back from a block, with the association it belongs to. */
export interface StoredEvent {
  event: LogEvent;
  frame: Frame | null;
  /** Its fields are not extracted yet (see `withFields`). */
  lazy?: boolean;
  /** Read by the fast lane because the read filter rules it out: not a hit, text not decoded. */
  cannotHit?: boolean;
  /** Read by the fast lane (text not decoded yet, see `withText`): where its first line's message is. */
  lazyText?: { raw: Buffer; start: number; end: number };
  /** With `lazyText`: its lines hold every token of the filter's AE (so its text may name the AE). */
  mayNameAe?: boolean;
}

/** The event with its text (decoded now if the fast lane read it). */
export function withText(se: StoredEvent): LogEvent {
  const l = se.lazyText;
  if (l) {
    // The fast lane gave the event a one-space placeholder for its first line; continuation lines follow it.
    se.event.text = decodeLine(l.raw, l.start, l.end) + se.event.text.slice(1);
    se.lazyText = undefined;
  }
  return se.event;
}

/** The event with its text and fields (extracted now if the block was read with `lazyFields`). */
export function withFields(se: StoredEvent): LogEvent {
  withText(se);
  if (se.lazy) {
    const e = se.event;
    const pacsName = e.fields.pacsName;
    const fields = classify(e.text, true).fields;
    if (pacsName !== undefined) fields.pacsName = pacsName;
    e.fields = fields;
    se.lazy = false;
  }
  return se.event;
}

const KIND_TAG = 'cqlogkind.';
const AE_TAG = 'cqlogae.';

/** The FTS token standing for "an event of this kind is in the block". */
export function kindTag(kind: string): string {
  return KIND_TAG + kind.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

/** The FTS token standing for "a line of an association with this AE is in the block" (hex: AE titles may hold any character). */
export function aeTag(ae: string): string {
  return AE_TAG + Buffer.from(ae, 'utf8').toString('hex');
}

export function compress(raw: Uint8Array): Buffer {
  return deflateRawSync(raw, { level: DEFLATE_LEVEL });
}

export function decompress(data: Buffer): Buffer {
  return inflateRawSync(data);
}

/**
 * The FTS5 document of a block: its text (as the query side splits it) without the byte ranges in
 * `blanks` (start, end pairs: the timestamps), and its tags.
 */
export function blockDocument(raw: Buffer, utf8: boolean, blanks: readonly number[], tags: string): string {
  let bytes = raw;
  if (blanks.length > 0) {
    bytes = Buffer.from(raw);
    for (let i = 0; i < blanks.length; i += 2) for (let j = blanks[i]!, e = blanks[i + 1]!; j < e; j++) bytes[j] = 32;
  }
  const text = utf8 ? bytes.toString('utf8') : bytes.toString('latin1');
  return ftsDocument(text) + '\n' + tags;
}

/** Bits of a token mask: more tokens than this are checked by the search alone. */
const MAX_FILTER_TOKENS = 30;

interface FastRead {
  line: number;
  cannotHit: boolean;
  raw: Buffer;
  start: number;
  end: number;
  mayNameAe: boolean;
}

/** A lower-cased (ASCII letters) copy of the block, made only when a token has letters. */
function lowered(raw: Buffer, tokens: string[]): Buffer {
  if (!tokens.some((t) => /[a-z]/.test(t))) return raw;
  const low = Buffer.from(raw);
  for (let i = 0; i < low.length; i++) {
    const c = low[i]!;
    if (c >= 65 && c <= 90) low[i] = c + 32;
  }
  return low;
}

/** Bit masks of the lines holding each token (`low`: the block as `lowered` gives it for these tokens). */
function tokenMasks(low: Buffer, starts: number[], tokens: string[]): Int32Array {
  const n = starts.length;
  const masks = new Int32Array(n);
  if (tokens.length === 0) return masks;
  tokens.forEach((tok, k) => {
    const needle = Buffer.from(tok, 'latin1');
    let line = 0;
    for (let at = low.indexOf(needle); at !== -1; at = low.indexOf(needle, at + 1)) {
      while (line + 1 < n && starts[line + 1]! <= at) line++;
      masks[line]! |= 1 << k;
    }
  });
  return masks;
}

function fullMask(n: number): number {
  return n === 0 ? 0 : n >= 31 ? 0x7fffffff : (1 << n) - 1;
}

/**
 * Feeds a block's lines (latin1, no NUL, no lone CR) to the assembler. An event the filter rules out
 * (a token missing from all its lines, another kind), and with --ae any event that is not an
 * association line, is read by the fast lane: kind, time and place from the bytes, text left for later.
 */
function feedFiltered(
  raw: Buffer,
  filter: ReadFilter,
  asm: EventAssembler,
  sourceOffset: (rel: number) => number,
  base: number,
  fastRead: Map<number, FastRead>,
): void {
  // Lines: [start, end) without the line end.
  const starts: number[] = [];
  const ends: number[] = [];
  for (let pos = 0; pos < raw.length; ) {
    const nl = raw.indexOf(10, pos);
    let end = nl === -1 ? raw.length : nl;
    if (end > pos && raw[end - 1] === 13) end--;
    starts.push(pos);
    ends.push(end);
    pos = nl === -1 ? raw.length : nl + 1;
  }
  const n = starts.length;
  const tokens = filter.tokens.slice(0, MAX_FILTER_TOKENS);
  const full = fullMask(tokens.length);
  const aeTokens = filter.aeTokens.slice(0, MAX_FILTER_TOKENS);
  const aeFull = fullMask(aeTokens.length);
  const low = lowered(raw, [...tokens, ...aeTokens]);
  const masks = tokenMasks(low, starts, tokens);
  const aeMasks = tokenMasks(low, starts, aeTokens);
  // An event starts at a fast-lane prefix; its lines run to the next one (bare lines go to the parser).
  const fast = new FastPrefix();
  const msg = new Int32Array(n);
  const times: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    msg[i] = fast.messageStart(raw, starts[i]!, ends[i]!);
    if (msg[i] !== -1) times[i] = fast.time;
  }
  for (let i = 0; i < n; ) {
    let j = i + 1;
    if (msg[i] !== -1) while (j < n && msg[j] === -1) j++;
    let mask = 0;
    let aeMask = 0;
    for (let k = i; k < j; k++) {
      mask |= masks[k]!;
      aeMask |= aeMasks[k]!;
    }
    let kind: string | null = null;
    const m = msg[i]!;
    const k = fastKind(raw, m, ends[i]!);
    if (k !== null) {
      const cannotHit = (full !== 0 && mask !== full) || (filter.kinds !== null && !filter.kinds.has(k));
      if (!(filter.associations && ASSOCIATION_KINDS.has(k)) && (cannotHit || filter.associations)) {
        kind = k;
        fastRead.set(sourceOffset(starts[i]!), { line: base + i + 1, cannotHit, raw, start: m, end: ends[i]!, mayNameAe: aeFull === 0 || aeMask === aeFull });
      }
    }
    if (kind !== null) {
      asm.known(times[i]!, kind, sourceOffset(starts[i]!), base + i + 1, ends[i]! - m);
      for (let k = i + 1; k < j; k++) asm.line(decodeLine(raw, starts[k]!, ends[k]!), sourceOffset(starts[k]!), base + k + 1);
    } else {
      for (let k = i; k < j; k++) asm.line(decodeLine(raw, starts[k]!, ends[k]!), sourceOffset(starts[k]!), base + k + 1);
    }
    i = j;
  }
}

/**
 * The syslog state a block starts with. A year not known yet at its first line was learned later, from
 * a line after it: the year its first event got (`y`) tells it.
 */
/** The assembler options that start it in the state a block context records (see BlockContext). */
export function resumeOptions(ctx: BlockContext): Pick<AssembleOptions, 'startOrder' | 'syslogYear' | 'inheritTime' | 'syslogResume'> {
  return {
    ...(ctx.o ? { startOrder: ctx.o } : {}),
    ...(ctx.y !== undefined && !ctx.sy ? { syslogYear: ctx.y } : {}),
    ...(ctx.t !== undefined ? { inheritTime: ctx.t } : {}),
    ...(ctx.sy ? { syslogResume: syslogAt(ctx) } : {}),
  };
}

export function syslogAt(ctx: BlockContext): SyslogResume | undefined {
  const sy = ctx.sy;
  if (!sy) return undefined;
  return sy.base === null && ctx.y !== undefined ? { ...sy, base: ctx.y - sy.roll } : sy;
}

export function parseContext(s: string): BlockContext {
  try {
    const v = JSON.parse(s) as Partial<BlockContext>;
    return { ...v, s: parseStack(v.s) };
  } catch {
    return { s: [] };
  }
}

/** What a search needs of a block: the events that can be hits in full, the others only as far as they shape it. */
export interface ReadFilter {
  /** Lower-case ASCII tokens each of which occurs in every hit's text (in any case). */
  tokens: string[];
  /** The kinds a hit may have, or null for any. */
  kinds: ReadonlySet<string> | null;
  /** Associations are needed (--ae): their lines are always parsed. Otherwise no event gets a frame. */
  associations: boolean;
  /** The --ae value's lower-case ASCII tokens (a line naming the AE is a hit too). */
  aeTokens: string[];
}

/**
 * The events of a stored block, parsed as the indexer parsed them, each with its association. A
 * damaged block (it cannot be inflated) gives no events and is reported through `onDamaged`. With
 * `lazyFields`, only the association lines get their fields now (a search extracts the rest for the
 * events it keeps, with `withFields`). With a `filter`, an event that cannot pass it (a token
 * missing from all its lines, another kind) is read by the fast lane only: its kind, time and place
 * are right, its text is not decoded.
 */
export function readBlock(b: BlockRow, onDamaged?: (b: BlockRow, why: string) => void, lazyFields = false, filter?: ReadFilter): StoredEvent[] {
  let raw: Buffer;
  try {
    raw = decompress(b.data);
  } catch (err) {
    onDamaged?.(b, (err as Error).message);
    return [];
  }
  const ctx = parseContext(b.ctx);
  const utf8 = ctx.u === 1;
  const out: StoredEvent[] = [];
  let stack: Stack = ctx.s;
  let nextId = -1; // frames opened in the block (the stored ones have positive ids)
  const quiet = (): void => {};
  const track = filter === undefined || filter.associations;
  /** Events the fast lane read (by offset), filled by feedFiltered before they are emitted. */
  const fastRead: Map<number, FastRead> | null = filter !== undefined ? new Map() : null;
  const asm = new EventAssembler(
    b.source,
    {
      encoding: utf8 ? 'utf8' : 'latin1',
      kindsOnly: lazyFields,
      ...resumeOptions(ctx),
    },
    (e) => {
      const se: StoredEvent = { event: e, frame: null, lazy: lazyFields };
      if (fastRead !== null) {
        const f = fastRead.get(e.offset);
        if (f !== undefined && e.line === f.line) {
          if (f.cannotHit) se.cannotHit = true;
          else {
            se.lazyText = { raw: f.raw, start: f.start, end: f.end };
            se.mayNameAe = f.mayNameAe;
          }
        }
      }
      if (track) {
        if (lazyFields && ASSOCIATION_KINDS.has(e.kind)) withFields(se);
        const a = applyAssociation(stack, e, () => nextId--);
        stack = a.stack;
        se.frame = a.frame;
      }
      out.push(se);
    },
    quiet,
  );
  const base = b.line - 1;
  const gaps = Array.isArray(ctx.g) ? ctx.g : [];
  const sourceOffset = (rel: number): number => {
    let o = b.off + rel;
    for (let i = 0; i + 1 < gaps.length && gaps[i]! <= rel; i += 2) o += gaps[i + 1]!;
    return o;
  };
  const useFilter = filter !== undefined && (filter.tokens.length > 0 || filter.kinds !== null || filter.associations) && !utf8 && cleanForBytes(raw);
  if (useFilter) feedFiltered(raw, filter, asm, sourceOffset, base, fastRead!);
  else {
    const splitter = new LineSplitter(b.source, (buf, s, end, offset, lineNo) => asm.line(decodeLine(buf, s, end, utf8), sourceOffset(offset), base + lineNo), quiet);
    splitter.push(raw);
    splitter.end();
  }
  asm.end();
  // A line before the one naming the AE belongs to the same association: each gets the association
  // as the block last shows it.
  const latest = new Map<number, Frame>();
  for (const se of out) if (se.frame !== null && se.frame.id !== 0) latest.set(se.frame.id, se.frame);
  for (const se of out) if (se.frame !== null && se.frame.id !== 0) se.frame = latest.get(se.frame.id)!;
  return out;
}
