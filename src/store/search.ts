/**
 * `cqlog search`: finds events in the index. Every value is bound as a parameter; the text query
 * becomes FTS5 strings only (src/store/tokens.ts), so no input can raise a syntax error. FTS5 finds
 * the blocks that can hold a hit; each is read back (src/store/blocks.ts) and its events tested exactly.
 */
import type { LogEvent } from '../parse/event.js';
import { eventIds } from './assocStack.js';
import { aeTag, kindTag, readBlock, withFields, withText, type BlockRow, type ReadFilter, type StoredEvent } from './blocks.js';
import type { DB } from './schema.js';
import { intToTime, timeToInt } from './schema.js';
import { ftsExpression, ftsString, idTerm, matchesTerms, parseQuery, quickCheck, type QueryTerm } from './tokens.js';

export interface SearchQuery {
  text?: string;
  patient?: string;
  study?: string;
  ae?: string;
  kinds?: string[];
  /** Local times `YYYY-MM-DDTHH:MM:SS`: [since, until). */
  since?: string;
  until?: string;
  limit?: number;
  /** Neighbouring lines of the same source, before and after each hit. */
  context?: number;
}

export interface Found {
  event: LogEvent;
  /** False for a neighbouring line added by `context`. */
  hit: boolean;
  id: number;
}

export interface SearchResult {
  /** Hits in time order, each followed by its context when asked; `null` separates context groups. */
  items: (Found | null)[];
  hits: number;
  /** More hits than the limit. */
  truncated: boolean;
  /** The query had words, but none searchable (only quotes, `*`, punctuation). */
  emptyQuery: boolean;
  /** Stored blocks that could not be read (damaged): where they are, so the user can re-index. */
  damaged: { source: string; line: number; why: string }[];
}

export interface Coverage {
  events: number;
  first: string | null;
  last: string | null;
  sources: string[];
}

const BLOCK_COLUMNS = 'b.id, b.src, s.name AS source, b.line, b.off, b.end_line, b.tmin, b.tmax, b.ctx';
const BLOCK_SELECT = `SELECT ${BLOCK_COLUMNS}, bd.data FROM blocks b JOIN block_data bd ON bd.id = b.id JOIN sources s ON s.id = b.src`;

/** The same without the block's bytes: fetched only for the blocks a search reads. */
const META_SELECT = `SELECT ${BLOCK_COLUMNS} FROM blocks b %INDEX% JOIN sources s ON s.id = b.src`;

/** More candidate blocks than this are walked in time order rather than fetched and sorted. */
const PLAN_CAP = 2000;

/** The longest time one block spans (kept by the writer; computed for an index that lacks it). */
function maxBlockSpan(db: DB): number {
  const v = db.prepare("SELECT value FROM meta WHERE key = 'max_block_span'").pluck().get() as string | undefined;
  // Every committed batch records it: without it, no block was stored.
  return v !== undefined && Number.isFinite(Number(v)) ? Number(v) : 0;
}

/** A hit's place: its time, then the order of its block and its own order within the block. */
interface Hit {
  t: number;
  /** The block's place in the scan (blocks come by earliest time). */
  seq: number;
  block: BlockRow;
  index: number;
  se: StoredEvent;
}

function eventId(block: number, index: number): number {
  return block * 65536 + index;
}

function byTime(a: Hit, b: Hit): number {
  // t is -Infinity for an event without a time (such events come first, as SQL sorts NULL).
  return a.t < b.t ? -1 : a.t > b.t ? 1 : a.seq - b.seq || a.index - b.index;
}

interface IdFilter {
  terms: QueryTerm[];
  value: string;
  what: 'patient' | 'study' | 'ae';
}

/** Every stored event of the index, source by source in file order (the findings replay). */
export function* storedEvents(db: DB): Generator<LogEvent> {
  const rows = db.prepare(`${BLOCK_SELECT} ORDER BY b.src, b.line`).iterate() as IterableIterator<BlockRow>;
  for (const r of rows) for (const se of readBlock(r)) yield se.event;
}

export function search(db: DB, q: SearchQuery): SearchResult {
  const limit = Math.max(1, q.limit ?? 200);
  const terms = q.text !== undefined ? parseQuery(q.text) : [];
  const emptyQuery = q.text !== undefined && q.text.trim() !== '' && terms.length === 0;
  if (emptyQuery) return { items: [], hits: 0, truncated: false, emptyQuery, damaged: [] };
  const ids: IdFilter[] = [];
  if (q.patient !== undefined) ids.push({ terms: idTerm(q.patient.trim()), value: q.patient.trim(), what: 'patient' });
  if (q.study !== undefined) ids.push({ terms: idTerm(q.study.trim()), value: q.study.trim(), what: 'study' });
  if (q.ae !== undefined) ids.push({ terms: idTerm(q.ae.trim()), value: q.ae.trim(), what: 'ae' });
  const kinds = q.kinds && q.kinds.length > 0 ? new Set(q.kinds) : null;

  // The blocks that can hold a hit: every word and value as FTS5 strings (never syntax), kinds and
  // AEs as the block's tag tokens; then each block is read and its events are tested exactly.
  const match: string[] = [];
  const textExpr = ftsExpression(terms);
  if (textExpr !== null) match.push(`(${textExpr})`);
  for (const f of ids) {
    const expr = ftsExpression(f.terms);
    if (f.what === 'ae') match.push(expr !== null ? `(${ftsString(aeTag(f.value))} OR (${expr}))` : ftsString(aeTag(f.value)));
    else if (expr !== null) match.push(`(${expr})`);
    else return { items: [], hits: 0, truncated: false, emptyQuery, damaged: [] }; // an ID with no word in it occurs in no text
  }
  if (kinds) match.push(`(${[...kinds].map((k) => ftsString(kindTag(k))).join(' OR ')})`);
  const since = q.since !== undefined ? timeToInt(q.since) : null;
  const until = q.until !== undefined ? timeToInt(q.until) : null;
  const where: string[] = [];
  const params: unknown[] = [];
  if (match.length > 0) {
    where.push('b.id IN (SELECT rowid FROM blocks_fts WHERE blocks_fts MATCH ?)');
    params.push(match.join(' AND '));
  }
  if (since !== null) {
    where.push('b.tmax >= ?');
    params.push(since);
  }
  if (until !== null) {
    where.push('b.tmin < ?');
    params.push(until);
  }
  // Plan: few candidate blocks are fetched and sorted; many are found by walking the time index from
  // where the window can start (a block reaches back at most the longest span stored) until the hits are in.
  let byTimeIndex = match.length === 0;
  if (!byTimeIndex) {
    const n = db.prepare(`SELECT count(*) FROM (SELECT rowid FROM blocks_fts WHERE blocks_fts MATCH ? LIMIT ${PLAN_CAP})`).pluck().get(params[0]) as number;
    byTimeIndex = n >= PLAN_CAP;
  }
  if (byTimeIndex && since !== null) {
    where.push('b.tmin >= ?');
    params.push(since - maxBlockSpan(db));
  }
  // Events without a time sort first: without a window, the blocks holding any are read in a first pass
  // (they are few: lines before a file's first timestamp, untimestamped logs), so that stopping early in
  // the time-ordered pass cannot leave one out.
  const untimedFirst = since === null && until === null && db.prepare('SELECT 1 FROM blocks INDEXED BY blocks_untimed WHERE untimed > 0 LIMIT 1').get() !== undefined;
  const select = (extra: string, index: boolean): string => {
    const w = [...where, ...(extra ? [extra] : [])];
    return `${META_SELECT.replace('%INDEX%', index ? 'INDEXED BY blocks_tmin' : '')}${w.length ? ' WHERE ' + w.join(' AND ') : ''} ORDER BY b.tmin, b.id`;
  };
  const dataOf = db.prepare('SELECT data FROM block_data WHERE id = ?').pluck();

  // Cheapest tests first; fields are extracted only for an ID not found in the text.
  const quick = quickCheck(terms);
  const idQuick = ids.map((f) => quickCheck(f.terms));
  const inText = (i: number, text: string): boolean => ids[i]!.terms.length > 0 && idQuick[i]!(text) && matchesTerms(ids[i]!.terms, text);
  const matches = (se: StoredEvent, t: number | null): boolean => {
    if (se.cannotHit) return false;
    const e = se.event;
    if (since !== null && (t === null || t < since)) return false;
    if (until !== null && (t === null || t >= until)) return false;
    if (kinds && !kinds.has(e.kind)) return false;
    // The association first: it needs no text (the fast lane may not have decoded it).
    for (let i = 0; i < ids.length; i++) {
      const f = ids[i]!;
      if (f.what !== 'ae') continue;
      const fr = se.frame;
      if (fr !== null && (fr.ca === f.value || fr.cd === f.value || fr.d === f.value)) continue;
      if (se.lazyText !== undefined && !se.mayNameAe) return false;
      if (!inText(i, withText(se).text)) return false;
    }
    if (terms.length > 0) {
      const text = withText(se).text;
      if (!quick(text) || !matchesTerms(terms, text)) return false;
    }
    for (let i = 0; i < ids.length; i++) {
      const f = ids[i]!;
      if (f.what === 'ae' || inText(i, withText(se).text)) continue;
      const v = eventIds(withFields(se).fields);
      if ((f.what === 'patient' ? v.patient : v.study) !== f.value) return false;
    }
    return true;
  };
  let lastTime: string | null = null;
  let lastInt: number | null = null;
  const timeOf = (time: string | null): number | null => {
    if (time !== lastTime) {
      lastTime = time;
      lastInt = timeToInt(time);
    }
    return lastInt;
  };

  // Tokens every hit's text holds: the words, and the patient and study values (found in the text when
  // not in a field, and a field's value comes from the text). Lines without them need no decoding.
  const necessary = [...terms, ...ids.filter((f) => f.what !== 'ae' && !f.value.includes("'")).flatMap((f) => f.terms)]
    .flatMap((t) => t.tokens)
    .filter((t) => /^[\x20-\x7e]+$/.test(t));
  const ae = ids.find((f) => f.what === 'ae');
  const filter: ReadFilter = {
    tokens: [...new Set(necessary)],
    kinds,
    associations: ae !== undefined,
    aeTokens: ae ? ae.terms.flatMap((t) => t.tokens).filter((t) => /^[\x20-\x7e]+$/.test(t)) : [],
  };
  const hits: Hit[] = [];
  const damaged: SearchResult['damaged'] = [];
  const onDamaged = (b: BlockRow, why: string): void => {
    if (damaged.length < 100 && !damaged.some((x) => x.source === b.source && x.line === b.line)) damaged.push({ source: b.source, line: b.line, why });
  };
  let sorted = true;
  let seq = 0;
  const scan = (sql: string, stopEarly: boolean): void => {
    for (const b of db.prepare(sql).iterate(...params) as IterableIterator<BlockRow>) {
      // Blocks come by their earliest time: once more than `limit` hits are earlier than this block, the rest cannot enter.
      if (stopEarly && hits.length > limit && b.tmin !== null) {
        if (!sorted) {
          hits.sort(byTime);
          sorted = true;
        }
        if (hits[limit]!.t < b.tmin) break;
      }
      b.data = dataOf.get(b.id) as Buffer;
      const evs = readBlock(b, onDamaged, true, filter);
      seq++;
      evs.forEach((se, index) => {
        const t = timeOf(se.event.time);
        if (matches(se, t)) {
          hits.push({ t: t ?? -Infinity, seq, block: b, index, se });
          sorted = false;
        }
      });
    }
  };
  if (untimedFirst) {
    scan(select('b.untimed > 0', false), false);
    scan(select('b.untimed = 0', byTimeIndex), true);
  } else scan(select('', byTimeIndex), true);
  hits.sort(byTime);
  const truncated = hits.length > limit;
  if (truncated) hits.length = limit;

  const items: (Found | null)[] = [];
  const n = Math.max(0, Math.floor(q.context ?? 0));
  if (n === 0) {
    for (const h of hits) items.push({ event: withFields(h.se), hit: true, id: eventId(h.block.id, h.index) });
  } else {
    const hitIds = new Set(hits.map((h) => eventId(h.block.id, h.index)));
    const shown = new Set<number>();
    const ctx = new ContextReader(db, new Map(), onDamaged);
    for (const h of hits) {
      const id = eventId(h.block.id, h.index);
      const group = ctx.around(h.block, h.se.event.line - n, h.se.event.line + n);
      // A hit already shown as another hit's context continues that group; otherwise a new group starts.
      if (items.length > 0 && !shown.has(id)) items.push(null);
      for (const g of group) {
        if (shown.has(g.id)) continue;
        shown.add(g.id);
        items.push({ event: g.event, hit: hitIds.has(g.id), id: g.id });
      }
    }
  }
  return { items, hits: hits.length, truncated, emptyQuery, damaged };
}

/** Reads the events of a source around a line, from the hit's block and its neighbours. */
class ContextReader {
  private readonly prev;
  private readonly next;

  constructor(
    db: DB,
    private readonly cache: Map<number, StoredEvent[]>,
    private readonly onDamaged: (b: BlockRow, why: string) => void,
  ) {
    this.prev = db.prepare(`${BLOCK_SELECT} WHERE b.src = ? AND b.line < ? ORDER BY b.line DESC LIMIT 1`);
    this.next = db.prepare(`${BLOCK_SELECT} WHERE b.src = ? AND b.line > ? ORDER BY b.line LIMIT 1`);
  }

  private events(b: BlockRow): StoredEvent[] {
    let evs = this.cache.get(b.id);
    if (!evs) {
      evs = readBlock(b, this.onDamaged, true);
      this.cache.set(b.id, evs);
    }
    return evs;
  }

  /** The block before / after each block asked about (hits close together share their neighbours). */
  private readonly before = new Map<number, BlockRow | undefined>();
  private readonly after = new Map<number, BlockRow | undefined>();

  private neighbour(b: BlockRow, side: 'before' | 'after'): BlockRow | undefined {
    const known = side === 'before' ? this.before : this.after;
    if (known.has(b.id)) return known.get(b.id);
    const n = (side === 'before' ? this.prev : this.next).get(b.src, b.line) as BlockRow | undefined;
    known.set(b.id, n);
    return n;
  }

  around(block: BlockRow, from: number, to: number): { id: number; event: LogEvent }[] {
    const parts: BlockRow[] = [block];
    for (let b: BlockRow | undefined = block; b && b.line > from; ) {
      b = this.neighbour(b, 'before');
      if (b) parts.unshift(b);
    }
    for (let b: BlockRow | undefined = block; b && b.end_line < to; ) {
      b = this.neighbour(b, 'after');
      if (b) parts.push(b);
    }
    const out: { id: number; event: LogEvent }[] = [];
    for (const b of parts) {
      this.events(b).forEach((se, i) => {
        if (se.event.line >= from && se.event.line <= to) out.push({ id: eventId(b.id, i), event: withFields(se) });
      });
    }
    return out;
  }
}

/** What the index holds within a time window: for the message when nothing matched. */
export function coverage(db: DB, since?: string, until?: string): Coverage {
  const s = since !== undefined ? timeToInt(since) : null;
  const u = until !== undefined ? timeToInt(until) : null;
  const w: string[] = ['tmin IS NOT NULL'];
  const p: number[] = [];
  if (s !== null) {
    w.push('tmax >= ?');
    p.push(s);
  }
  if (u !== null) {
    w.push('tmin < ?');
    p.push(u);
  }
  const span = db.prepare(`SELECT min(tmin) AS a, max(tmax) AS b FROM blocks WHERE ${w.join(' AND ')}`).get(...p) as { a: number | null; b: number | null };
  // A block reaching over the window's edge: its events outside the window are not in it.
  const first = span.a === null ? null : s !== null ? Math.max(span.a, s) : span.a;
  const last = span.b === null ? null : u !== null ? Math.min(span.b, u - 1) : span.b;
  const sources = db.prepare('SELECT s.name FROM sources s WHERE EXISTS (SELECT 1 FROM blocks b WHERE b.src = s.id) ORDER BY s.id').pluck().all() as string[];
  const events = (db.prepare('SELECT coalesce(sum(events), 0) FROM blocks').pluck().get() as number) ?? 0;
  return { events, first: intToTime(first), last: intToTime(last) , sources };
}
