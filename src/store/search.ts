/**
 * `cqlog search`: finds events in the index. Every value is bound as a parameter; the text query
 * becomes FTS5 strings only (src/store/tokens.ts), so no input can raise a syntax error.
 */
import type { Fields, LogEvent } from '../parse/event.js';
import { classify } from '../parse/catalog/index.js';
import type { DB } from './schema.js';
import { intToTime, timeToInt } from './schema.js';
import { contiguous, ftsExpression, idTerm, parseQuery, type QueryTerm } from './tokens.js';

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
}

export interface Coverage {
  events: number;
  first: string | null;
  last: string | null;
  sources: string[];
}

interface RawRow {
  id: number;
  src: number;
  source: string;
  line: number;
  off: number;
  time: number | null;
  kind: string;
  text: string;
  fields: string | null;
  patient: string | null;
  study: string | null;
  calling: string | null;
  called: string | null;
  dest: string | null;
}

const SELECT = `SELECT e.id, e.src, s.name AS source, e.line, e.off, e.time, k.v AS kind, e.text, e.fields,
  p.v AS patient, st.v AS study, ca.v AS calling, cd.v AS called, d.v AS dest
  FROM %FROM%
  JOIN sources s ON s.id = e.src JOIN strs k ON k.id = e.kind
  LEFT JOIN strs p ON p.id = e.patient LEFT JOIN strs st ON st.id = e.study LEFT JOIN assoc a ON a.id = e.assoc
  LEFT JOIN strs ca ON ca.id = a.calling LEFT JOIN strs cd ON cd.id = a.called LEFT JOIN strs d ON d.id = a.dest`;

/** The event contract object of a stored row: fields re-derived from the text by the catalog. */
export function rowEvent(r: RawRow): LogEvent {
  const fields: Fields = classify(r.text, true).fields;
  if (r.fields) {
    try {
      Object.assign(fields, JSON.parse(r.fields) as Fields);
    } catch {
      /* a damaged extra is left out */
    }
  }
  return { source: r.source, line: r.line, offset: r.off, time: intToTime(r.time), kind: r.kind, text: r.text, fields };
}

/** A filter matching fewer ids than this drives the query; otherwise the time index does. */
const PLAN_CAP = 20_000;

interface IdFilter {
  terms: QueryTerm[];
  value: string;
  columns: ('patient' | 'study' | 'calling' | 'called' | 'dest')[];
}

export function search(db: DB, q: SearchQuery): SearchResult {
  const limit = Math.max(1, q.limit ?? 200);
  const terms = q.text !== undefined ? parseQuery(q.text) : [];
  const emptyQuery = q.text !== undefined && q.text.trim() !== '' && terms.length === 0;
  if (emptyQuery) return { items: [], hits: 0, truncated: false, emptyQuery };
  const ids: IdFilter[] = [];
  if (q.patient !== undefined) ids.push({ terms: idTerm(q.patient.trim()), value: q.patient.trim(), columns: ['patient'] });
  if (q.study !== undefined) ids.push({ terms: idTerm(q.study.trim()), value: q.study.trim(), columns: ['study'] });
  if (q.ae !== undefined) ids.push({ terms: idTerm(q.ae.trim()), value: q.ae.trim(), columns: ['calling', 'called', 'dest'] });

  // Each filter is a set of event ids: the FTS match of the query, and per identifier its columns ∪ its tokens.
  interface SetFilter {
    /** A SELECT of ids, and its parameters. */
    set: string;
    setParams: unknown[];
    /** The same as a condition on `e`. */
    cond: string;
    condParams: unknown[];
    /** Parts whose size is estimated (each a SELECT of ids). */
    parts: { sql: string; params: unknown[] }[];
  }
  const filters: SetFilter[] = [];
  const textExpr = ftsExpression(terms);
  if (textExpr !== null) {
    const fts = 'SELECT rowid AS id FROM events_fts WHERE events_fts MATCH ?';
    filters.push({ set: fts, setParams: [textExpr], cond: `e.id IN (${fts})`, condParams: [textExpr], parts: [{ sql: fts, params: [textExpr] }] });
  }
  for (const f of ids) {
    const parts: { sql: string; params: unknown[] }[] = [];
    const conds: string[] = [];
    const condParams: unknown[] = [];
    if (f.columns.includes('calling')) {
      // An AE: the events of the associations it called, was called in, or was the move destination of.
      const assoc = 'SELECT id FROM assoc WHERE calling = (SELECT id FROM strs WHERE v = ?1) OR called = (SELECT id FROM strs WHERE v = ?1) OR dest = (SELECT id FROM strs WHERE v = ?1)';
      const inner = assoc.replace(/\?1/g, '?');
      parts.push({ sql: `SELECT id FROM events WHERE assoc IN (${inner})`, params: [f.value, f.value, f.value] });
      conds.push(`e.assoc IN (${inner})`);
      condParams.push(f.value, f.value, f.value);
    }
    // Patient and study values occur in the text of their events: the token index finds them.
    const expr = ftsExpression(f.terms);
    if (expr !== null) {
      const fts = 'SELECT rowid AS id FROM events_fts WHERE events_fts MATCH ?';
      parts.push({ sql: fts, params: [expr] });
      conds.push(`e.id IN (${fts})`);
      condParams.push(expr);
    }
    if (parts.length === 0) {
      parts.push({ sql: 'SELECT id FROM events WHERE 0', params: [] });
      conds.push('0');
    }
    filters.push({
      set: parts.map((p) => `SELECT id FROM (${p.sql})`).join(' UNION '),
      setParams: parts.flatMap((p) => p.params),
      cond: `(${conds.join(' OR ')})`,
      condParams,
      parts,
    });
  }
  const where: string[] = [];
  const since = q.since !== undefined ? timeToInt(q.since) : null;
  const until = q.until !== undefined ? timeToInt(q.until) : null;
  const wparams: unknown[] = [];
  if (since !== null) {
    where.push('e.time >= ?');
    wparams.push(since);
  }
  if (until !== null) {
    where.push('e.time < ?');
    wparams.push(until);
  }
  if (q.kinds && q.kinds.length > 0) {
    where.push(`e.kind IN (SELECT id FROM strs WHERE v IN (${q.kinds.map(() => '?').join(',')}))`);
    wparams.push(...q.kinds);
  }
  // Plan: when some filter is small, start from the intersection of the id sets and sort it; when
  // every filter matches a large share of the index, walk the time index and test each row instead.
  let smallest = Infinity;
  for (const f of filters) {
    let n = 0;
    for (const p of f.parts) n += db.prepare(`SELECT count(*) FROM (${p.sql} LIMIT ${PLAN_CAP})`).pluck().get(...p.params) as number;
    smallest = Math.min(smallest, n);
  }
  let sql: string;
  let params: unknown[];
  if (filters.length > 0 && smallest < PLAN_CAP) {
    const from = `(${filters.map((f) => `SELECT id FROM (${f.set})`).join(' INTERSECT ')}) AS c CROSS JOIN events e ON e.id = c.id`;
    sql = SELECT.replace('%FROM%', from) + (where.length ? ' WHERE ' + where.join(' AND ') : '') + ' ORDER BY e.time, e.id';
    params = [...filters.flatMap((f) => f.setParams), ...wparams];
  } else {
    const conds = [...filters.map((f) => f.cond), ...where];
    sql = SELECT.replace('%FROM%', 'events e INDEXED BY events_time') + (conds.length ? ' WHERE ' + conds.join(' AND ') : '') + ' ORDER BY e.time, e.id';
    params = [...filters.flatMap((f) => f.condParams), ...wparams];
  }
  const stmt = db.prepare(sql);
  const hits: RawRow[] = [];
  let truncated = false;
  for (const r of stmt.iterate(...params) as IterableIterator<RawRow>) {
    if (!contiguous(terms, r.text)) continue;
    if (!ids.every((f) => f.columns.some((c) => r[c] === f.value) || contiguous(f.terms, r.text))) continue;
    if (hits.length === limit) {
      truncated = true;
      break;
    }
    hits.push(r);
  }
  const items: (Found | null)[] = [];
  const n = Math.max(0, Math.floor(q.context ?? 0));
  if (n === 0) {
    for (const r of hits) items.push({ event: rowEvent(r), hit: true, id: r.id });
  } else {
    const ctx = db.prepare(SELECT.replace('%FROM%', 'events e') + ' WHERE e.src = ? AND e.line BETWEEN ? AND ? ORDER BY e.line, e.off');
    const hitIds = new Set(hits.map((h) => h.id));
    const shown = new Set<number>();
    for (const h of hits) {
      const group = ctx.all(h.src, h.line - n, h.line + n) as RawRow[];
      // A hit already shown as another hit's context continues that group; otherwise a new group starts.
      if (items.length > 0 && !shown.has(h.id)) items.push(null);
      for (const r of group) {
        if (shown.has(r.id)) continue;
        shown.add(r.id);
        items.push({ event: rowEvent(r), hit: hitIds.has(r.id), id: r.id });
      }
    }
  }
  return { items, hits: hits.length, truncated, emptyQuery };
}

/** What the index holds within a time window: for the message when nothing matched. */
export function coverage(db: DB, since?: string, until?: string): Coverage {
  const s = since !== undefined ? timeToInt(since) : null;
  const u = until !== undefined ? timeToInt(until) : null;
  const w: string[] = ['time IS NOT NULL'];
  const p: number[] = [];
  if (s !== null) {
    w.push('time >= ?');
    p.push(s);
  }
  if (u !== null) {
    w.push('time < ?');
    p.push(u);
  }
  const first = db.prepare(`SELECT time FROM events WHERE ${w.join(' AND ')} ORDER BY time LIMIT 1`).pluck().get(...p) as number | undefined;
  const last = db.prepare(`SELECT time FROM events WHERE ${w.join(' AND ')} ORDER BY time DESC LIMIT 1`).pluck().get(...p) as number | undefined;
  const sources = db.prepare('SELECT s.name FROM sources s WHERE EXISTS (SELECT 1 FROM events e WHERE e.src = s.id) ORDER BY s.id').pluck().all() as string[];
  const events = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
  return { events, first: intToTime(first ?? null), last: intToTime(last ?? null), sources };
}
