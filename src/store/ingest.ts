/**
 * `cqlog index`: reads logs into the historical index, incrementally.
 *
 * - A live file (any plain file given) is a *generation* of the file at its path: identity = sha256 of
 *   its first bytes (up to 4 KiB) + the size read. A later run continues it from the last stored event
 *   (that event is re-read, as continuation lines may have been appended to it). A file that shrank or
 *   whose first bytes changed was rotated: a new generation starts at byte 0.
 * - An archive (`logs_*.zip`, `*.gz`) is identified by the sha256 of the whole file and skipped once
 *   indexed. Each log entry of it is matched against the generations already indexed by base name
 *   and first-bytes hash: the zip's `serverstatus.log` *is* the old live file, so a matching
 *   generation is relabelled as that entry (its rows keep their line numbers and offsets, which are
 *   the same in the zip) and only the lines after the last stored event are added.
 * - Rows are committed in batches, each together with the progress record, so an interrupted run
 *   resumes without duplicates.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Fields, FieldValue, InputProblem, LogEvent, ProblemSink } from '../parse/event.js';
import { EventAssembler } from '../parse/assemble.js';
import type { DateOrder } from '../parse/dateOrder.js';
import { binaryMessage, decodeLine, LineSplitter, looksBinary } from '../source/lines.js';
import { fileChunks, gzipChunks, openZipSource, readErrorReason } from '../source/read.js';
import { resolveInputs } from '../source/resolve.js';
import type { InputItem } from '../source/types.js';
import type { DB } from './schema.js';
import { timeToInt } from './schema.js';
import { ftsDocument } from './tokens.js';
import { parseDicomIni } from '../source/ini.js';
import type { ConquestConfig } from '../source/types.js';

/** Bytes of a file's head that identify it. */
export const HEAD_BYTES = 4096;
export const DEFAULT_BATCH = 50_000;

export interface IndexOptions {
  encoding?: 'latin1' | 'utf8';
  dateOrder?: DateOrder;
  /** Events per transaction. */
  batchSize?: number;
  onProblem?: ProblemSink;
  /** Called as bytes are read (for a progress bar). */
  onProgress?: (p: IndexProgress) => void;
  /** Called for each event newly stored (not for the last event of a previous run, which is read again). */
  onEvent?: (e: LogEvent) => void;
  /** Test hook: called after each committed batch (throw to simulate an interruption). */
  afterCommit?: (p: { source: string; events: number }) => void;
  /** Called for each dicom.ini found (a folder's, or inside a zip): the findings need VirtualServerFor… */
  onConfig?: (c: ConquestConfig) => void;
}

export interface IndexProgress {
  bytesDone: number;
  bytesTotal: number;
  source: string;
}

export type SourceStatus = 'new' | 'appended' | 'rotated' | 'unchanged' | 'archive' | 'archive-continued' | 'skipped-archive' | 'unreadable';

export interface SourceReport {
  source: string;
  status: SourceStatus;
  newLines: number;
  newEvents: number;
  note?: string;
}

export interface IndexSummary {
  sources: SourceReport[];
  newLines: number;
  newEvents: number;
  skippedArchives: string[];
  bytesRead: number;
  seconds: number;
  problems: InputProblem[];
  /** False when nothing given could be read (exit 2). */
  readable: boolean;
}

// ------------------------------------------------------------------ association state

/** One open association: its UPACS THREAD number and the AEs seen in it. Frames are immutable. */
interface Frame {
  /** assoc.id */
  id: number;
  t: number | null;
  ca: string | null;
  cd: string | null;
  d: string | null;
}
type Stack = readonly Frame[];
const MAX_STACK = 32;

function str(v: FieldValue | undefined): string | null {
  if (typeof v === 'string') return v.length > 0 ? v : null;
  if (typeof v === 'number') return String(v);
  return null;
}

const PATIENT_COLUMNS = /^(PatientID|SeriesPat|ImagePat|StudyPat|PatientPat)$/i;
const STUDY_COLUMNS = /^(StudyInsta|StudyInstanceUID|SeriesStud|ImageStud)/i;
const SERIES_COLUMNS = /^(SeriesInst|SeriesInstanceUID|ImageSeri)/i;

function wherePair(f: Fields, re: RegExp): string | null {
  const pairs = f.wherePairs;
  if (!Array.isArray(pairs)) return null;
  for (const p of pairs) {
    if (p && typeof p === 'object' && !Array.isArray(p) && typeof p.column === 'string' && re.test(p.column) && typeof p.value === 'string' && p.value !== '') return p.value;
  }
  return null;
}

/** Applies an event to the association stack; returns the new stack and the frame the event belongs to. */
export function applyAssociation(stack: Stack, e: LogEvent, newId: () => number): { stack: Stack; frame: Frame | null; changed: boolean } {
  const f = e.fields;
  const top = stack.length > 0 ? stack[stack.length - 1]! : null;
  const setTop = (patch: Partial<Frame>): { stack: Stack; frame: Frame; changed: boolean } => {
    const frame: Frame = { ...(top ?? { id: newId(), t: null, ca: null, cd: null, d: null }), ...patch };
    return { stack: top ? [...stack.slice(0, -1), frame] : [frame], frame, changed: true };
  };
  switch (e.kind) {
    case 'thread-start': {
      const frame: Frame = { id: newId(), t: typeof f.thread === 'number' ? f.thread : null, ca: null, cd: null, d: null };
      const next = [...stack, frame];
      return { stack: next.length > MAX_STACK ? next.slice(next.length - MAX_STACK) : next, frame, changed: true };
    }
    case 'calling-ae':
      return setTop({ ca: str(f.ae) });
    case 'called-ae':
      return setTop({ cd: str(f.ae) });
    case 'move-destination':
      return setTop({ d: str(f.destination) });
    case 'thread-end':
    case 'thread-runtime': {
      const t = typeof f.thread === 'number' ? f.thread : null;
      let i = stack.length - 1;
      while (i >= 0 && stack[i]!.t !== t) i--;
      if (i < 0) return { stack, frame: top, changed: false };
      const frame = stack[i]!;
      // TOTAL RUNNING TIME is the association's last line: it is closed after it.
      return { stack: e.kind === 'thread-runtime' ? stack.slice(0, i) : stack, frame, changed: false };
    }
    default:
      return { stack, frame: top, changed: false };
  }
}

// ------------------------------------------------------------------ the writer

interface Row {
  line: number;
  off: number;
  time: number | null;
  kind: string;
  assoc: number | null;
  patient: string | null;
  study: string | null;
  series: string | null;
  text: string;
  fields: string | null;
}

interface ProgressRow {
  src: number;
  path: string | null;
  base: string;
  head_len: number;
  head_hash: string;
  size: number;
  lines: number;
  resume_off: number;
  resume_line: number;
  state: string | null;
  current: number;
}

function now(): string {
  return new Date().toISOString();
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

async function fileSha256(p: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(p)) h.update(c as Buffer);
  return h.digest('hex');
}

/** `serverstatus.log` for `serverstatus.log`, `SERVERSTATUS.LOG`, `serverstatus.log.1`, `serverstatus.log.2.gz`. */
export function baseOf(name: string): string {
  let b = name.split(/[\\/!]/).pop()!.toLowerCase();
  b = b.replace(/\.gz$/, '').replace(/\.\d+$/, '');
  return b;
}

class Writer {
  private readonly strCache = new Map<string, number>();
  private readonly q;

  constructor(private readonly db: DB) {
    this.q = {
      insStr: db.prepare('INSERT OR IGNORE INTO strs(v) VALUES (?)'),
      selStr: db.prepare('SELECT id FROM strs WHERE v = ?').pluck(),
      insEvent: db.prepare(
        'INSERT INTO events(src, line, off, time, kind, assoc, patient, study, series, text, fields) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
      ),
      insFts: db.prepare('INSERT INTO events_fts(rowid, body) VALUES (?, ?)'),
      saveAssoc: db.prepare(
        'INSERT INTO assoc(id, src, thread, calling, called, dest) VALUES (?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET thread = excluded.thread, calling = excluded.calling, called = excluded.called, dest = excluded.dest',
      ),
      saveProgress: db.prepare(
        `INSERT INTO progress(src, path, base, head_len, head_hash, size, lines, resume_off, resume_line, state, current, updated_at)
         VALUES (@src, @path, @base, @head_len, @head_hash, @size, @lines, @resume_off, @resume_line, @state, @current, @updated_at)
         ON CONFLICT(src) DO UPDATE SET path = excluded.path, base = excluded.base, head_len = excluded.head_len, head_hash = excluded.head_hash,
           size = excluded.size, lines = excluded.lines, resume_off = excluded.resume_off, resume_line = excluded.resume_line,
           state = excluded.state, current = excluded.current, updated_at = excluded.updated_at`,
      ),
    };
  }

  id(v: string | null): number | null {
    if (v === null) return null;
    const c = this.strCache.get(v);
    if (c !== undefined) return c;
    this.q.insStr.run(v);
    const id = this.q.selStr.get(v) as number;
    if (this.strCache.size > 500_000) this.strCache.clear();
    this.strCache.set(v, id);
    return id;
  }

  /** Inserts rows and associations and saves the progress record, in one transaction. */
  commit(src: number, rows: Row[], assocs: Map<number, Frame>, progress: ProgressRow): void {
    try {
      this.db.transaction(() => {
        for (const a of assocs.values()) this.q.saveAssoc.run(a.id, src, a.t, this.id(a.ca), this.id(a.cd), this.id(a.d));
        const ins = this.q.insEvent;
        const fts = this.q.insFts;
        for (const r of rows) {
          const info = ins.run(
            src,
            r.line,
            r.off,
            r.time,
            this.id(r.kind),
            r.assoc,
            this.id(r.patient),
            this.id(r.study),
            this.id(r.series),
            r.text,
            r.fields,
          );
          fts.run(info.lastInsertRowid, ftsDocument(r.text));
        }
        this.q.saveProgress.run({ ...progress, updated_at: now() });
      })();
    } catch (err) {
      this.strCache.clear(); // ids inserted in the rolled-back transaction are gone
      throw err;
    }
  }
}

// ------------------------------------------------------------------ the indexer

interface StartPoint {
  /** Offset and line number (0-based count of lines before) the chunks start at. */
  baseOff: number;
  baseLine: number;
  /** Lines starting before this offset were stored already: not parsed again. */
  skipBefore: number;
  stack: Stack;
}

export class Indexer {
  private readonly w: Writer;
  private readonly problems: InputProblem[] = [];
  private bytesDone = 0;
  private bytesTotal = 0;
  private bytesRead = 0;
  private nextAssoc: number;
  /** PacsUser.log lines: one assoc row per (source, calling AE) per run. */
  private readonly userAssoc = new Map<string, number>();

  constructor(
    private readonly db: DB,
    private readonly o: IndexOptions = {},
  ) {
    this.w = new Writer(db);
    this.nextAssoc = ((db.prepare('SELECT max(id) FROM assoc').pluck().get() as number | null) ?? 0) + 1;
  }

  private problem: ProblemSink = (p) => {
    if (this.problems.length < 1000) this.problems.push(p);
    this.o.onProblem?.(p);
  };

  async run(paths: string[]): Promise<IndexSummary> {
    const t0 = performance.now();
    const summary: IndexSummary = { sources: [], newLines: 0, newEvents: 0, skippedArchives: [], bytesRead: 0, seconds: 0, problems: this.problems, readable: false };
    const resolved = await resolveInputs(paths, this.problem);
    for (const ini of resolved.iniFiles) {
      try {
        this.o.onConfig?.(parseDicomIni(await fsp.readFile(ini.path, 'latin1'), ini.name));
      } catch (err) {
        this.problem({ source: ini.name, message: `cannot read dicom.ini (${(err as Error).message})` });
      }
    }
    const sizes = new Map<InputItem, number>();
    for (const item of resolved.items) {
      if (item.type === 'stdin') continue;
      try {
        const s = (await fsp.stat(item.path)).size;
        sizes.set(item, s);
        this.bytesTotal += s;
      } catch {
        /* reported when read */
      }
    }
    try {
      await this.readAll(resolved.items, sizes, summary);
    } catch (err) {
      if (err instanceof Fatal) throw err.cause;
      throw err;
    }
    summary.bytesRead = this.bytesRead;
    summary.seconds = (performance.now() - t0) / 1000;
    return summary;
  }

  private async readAll(items: InputItem[], sizes: Map<InputItem, number>, summary: IndexSummary): Promise<void> {
    for (const item of items) {
      const before = this.bytesDone;
      let reports: SourceReport[];
      if (item.type === 'stdin') {
        this.problem({ source: '-', message: 'standard input cannot be indexed incrementally; save it to a file and index that' });
        reports = [{ source: '-', status: 'unreadable', newLines: 0, newEvents: 0 }];
      } else if (item.type === 'file') reports = [await this.indexLive(item.name, item.path)];
      else reports = await this.indexArchive(item.name, item.path, item.type === 'zip' ? 'zip' : 'gzip');
      this.bytesDone = before + (sizes.get(item) ?? 0);
      this.tick(item.name);
      for (const r of reports) {
        summary.sources.push(r);
        summary.newLines += r.newLines;
        summary.newEvents += r.newEvents;
        if (r.status === 'skipped-archive') summary.skippedArchives.push(r.source);
        if (r.status !== 'unreadable') summary.readable = true;
      }
    }
  }

  private tick(source: string): void {
    this.o.onProgress?.({ bytesDone: Math.min(this.bytesDone, this.bytesTotal), bytesTotal: this.bytesTotal, source });
  }

  private newSource(name: string, type: string, archiveId: number | null, entry: string | null): number {
    const info = this.db
      .prepare('INSERT INTO sources(name, type, archive_id, entry, done, added_at) VALUES (?, ?, ?, ?, 0, ?)')
      .run(name, type, archiveId, entry, now());
    return Number(info.lastInsertRowid);
  }

  /** Deletes the rows at or after a resume point (the last stored event is read again). */
  private deleteFrom(src: number, line: number, off: number): void {
    this.db.transaction(() => {
      // A contentless FTS5 row is deleted by giving the text it was indexed with.
      const del = this.db.prepare("INSERT INTO events_fts(events_fts, rowid, body) VALUES ('delete', ?, ?)");
      const rows = this.db.prepare('SELECT id, text FROM events WHERE src = ? AND (line > ? OR (line = ? AND off >= ?))').all(src, line, line, off) as { id: number; text: string }[];
      for (const r of rows) del.run(r.id, ftsDocument(r.text));
      this.db.prepare('DELETE FROM events WHERE src = ? AND (line > ? OR (line = ? AND off >= ?))').run(src, line, line, off);
    })();
  }

  private async readHead(p: string, size: number): Promise<Buffer> {
    const n = Math.min(size, HEAD_BYTES);
    const fh = await fsp.open(p, 'r');
    try {
      const b = Buffer.alloc(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await fh.read(b, got, n - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return b.subarray(0, got);
    } finally {
      await fh.close();
    }
  }

  async indexLive(name: string, file: string): Promise<SourceReport> {
    const abs = path.resolve(file);
    let size: number;
    let head: Buffer;
    try {
      size = (await fsp.stat(file)).size;
      head = await this.readHead(file, size);
    } catch (err) {
      this.problem({ source: name, message: readErrorReason(err) });
      return { source: name, status: 'unreadable', newLines: 0, newEvents: 0 };
    }
    const prev = this.db.prepare('SELECT * FROM progress WHERE path = ? ORDER BY src DESC LIMIT 1').get(abs) as ProgressRow | undefined;
    let status: SourceStatus = 'new';
    let src: number;
    let start: StartPoint = { baseOff: 0, baseLine: 0, skipBefore: 0, stack: [] };
    if (prev) {
      const rotated = size < prev.size || head.length < prev.head_len || sha256(head.subarray(0, prev.head_len)) !== prev.head_hash;
      if (!rotated) {
        if (size === prev.size) {
          this.db.prepare('UPDATE progress SET current = 1 WHERE src = ?').run(prev.src);
          return { source: name, status: 'unchanged', newLines: 0, newEvents: 0 };
        }
        status = 'appended';
        src = prev.src;
        this.deleteFrom(src, prev.resume_line, prev.resume_off);
        start = { baseOff: prev.resume_off, baseLine: prev.resume_line - 1, skipBefore: 0, stack: parseStack(prev.state) };
      } else {
        status = 'rotated';
        this.db.prepare('UPDATE progress SET current = 0 WHERE path = ?').run(abs);
        src = this.newSource(name, 'live', null, null);
      }
    } else {
      src = this.newSource(name, 'live', null, null);
    }
    const progress: ProgressRow = {
      src,
      path: abs,
      base: baseOf(name),
      head_len: head.length,
      head_hash: sha256(head),
      size: start.baseOff,
      lines: start.baseLine,
      resume_off: start.baseOff,
      resume_line: start.baseLine + 1,
      state: JSON.stringify(start.stack),
      current: 1,
    };
    const r = await this.parse(name, src, () => fileChunks(file, start.baseOff), start, progress, true);
    // Progress always reflects the file's current head, whatever was read.
    return { source: name, status: r.failedBeforeData ? 'unreadable' : status, newLines: r.lines, newEvents: r.events };
  }

  async indexArchive(name: string, file: string, type: 'zip' | 'gzip'): Promise<SourceReport[]> {
    let hash: string;
    let size: number;
    try {
      size = (await fsp.stat(file)).size;
      hash = await fileSha256(file);
    } catch (err) {
      this.problem({ source: name, message: readErrorReason(err) });
      return [{ source: name, status: 'unreadable', newLines: 0, newEvents: 0 }];
    }
    const arch = this.db.prepare('SELECT id, complete FROM archives WHERE sha256 = ?').get(hash) as { id: number; complete: number } | undefined;
    if (arch?.complete) return [{ source: name, status: 'skipped-archive', newLines: 0, newEvents: 0, note: 'already indexed (same sha256)' }];
    const archiveId = arch
      ? arch.id
      : Number(this.db.prepare('INSERT INTO archives(sha256, name, size, complete, indexed_at) VALUES (?, ?, ?, 0, ?)').run(hash, name, size, now()).lastInsertRowid);
    const reports: SourceReport[] = [];
    let allRead = true;
    if (type === 'gzip') {
      const entry = path.basename(file);
      const r = await this.indexEntry(name, archiveId, entry, () => gzipChunks(file));
      reports.push(r.report);
      allRead = r.complete;
    } else {
      let zipBroken = false;
      const zip = await openZipSource({ type: 'zip', name, path: file }, (p) => {
        zipBroken = true;
        this.problem(p);
      });
      if (!zip) return [{ source: name, status: 'unreadable', newLines: 0, newEvents: 0 }];
      try {
        if (zip.ini !== null) this.o.onConfig?.(parseDicomIni(zip.ini.text, zip.ini.name));
        if (zip.logs.length === 0) this.problem({ source: name, message: 'zip holds no *.log entry' });
        for (const log of zip.logs) {
          const entry = log.spec.type === 'zip-entry' ? log.spec.entry : log.spec.name;
          const r = await this.indexEntry(log.spec.name, archiveId, entry, () => log.chunks());
          reports.push(r.report);
          if (!r.complete) allRead = false;
        }
      } finally {
        zip.close();
      }
      if (zipBroken) allRead = false;
    }
    // A zip read with errors is not marked complete: the next run tries again and adds nothing twice.
    if (allRead) this.db.prepare('UPDATE archives SET complete = 1, indexed_at = ? WHERE id = ?').run(now(), archiveId);
    if (reports.length === 0) reports.push({ source: name, status: allRead ? 'archive' : 'unreadable', newLines: 0, newEvents: 0 });
    return reports;
  }

  private async indexEntry(
    name: string,
    archiveId: number,
    entry: string,
    chunks: () => AsyncIterable<Buffer>,
  ): Promise<{ report: SourceReport; complete: boolean }> {
    const existing = this.db.prepare('SELECT id, done FROM sources WHERE archive_id = ? AND entry = ?').get(archiveId, entry) as { id: number; done: number } | undefined;
    if (existing?.done) return { report: { source: name, status: 'archive', newLines: 0, newEvents: 0, note: 'entry already indexed' }, complete: true };
    // Take the first bytes to find out whether this entry continues a generation already indexed.
    const it = chunks()[Symbol.asyncIterator]();
    const pre: Buffer[] = [];
    let preLen = 0;
    let readError: Error | null = null;
    let ended = false;
    try {
      while (preLen < HEAD_BYTES) {
        const n = await it.next();
        if (n.done) {
          ended = true;
          break;
        }
        const b = Buffer.from(n.value);
        pre.push(b);
        preLen += b.length;
      }
    } catch (err) {
      readError = err as Error;
    }
    const headAll = Buffer.concat(pre);
    const head = headAll.subarray(0, HEAD_BYTES);
    let src: number;
    let status: SourceStatus = 'archive';
    let start: StartPoint = { baseOff: 0, baseLine: 0, skipBefore: 0, stack: [] };
    let prog: ProgressRow | undefined;
    if (existing) {
      src = existing.id;
      prog = this.db.prepare('SELECT * FROM progress WHERE src = ?').get(src) as ProgressRow | undefined;
      status = 'archive-continued';
    } else {
      const base = baseOf(entry);
      const candidates = this.db
        .prepare(
          `SELECT p.* FROM progress p JOIN sources s ON s.id = p.src LEFT JOIN archives a ON a.id = s.archive_id
           WHERE p.base = ? AND p.head_len > 0 AND (s.archive_id IS NULL OR a.complete = 0) ORDER BY p.src DESC`,
        )
        .all(base) as ProgressRow[];
      const match = candidates.find((c) => c.head_len <= head.length && sha256(head.subarray(0, c.head_len)) === c.head_hash);
      if (match) {
        src = match.src;
        prog = match;
        status = 'archive-continued';
        // The rows already stored from the live file are this entry's first lines: they take its name.
        this.db.prepare("UPDATE sources SET name = ?, type = 'archive-entry', archive_id = ?, entry = ? WHERE id = ?").run(name, archiveId, entry, src);
      } else {
        src = this.newSource(name, 'archive-entry', archiveId, entry);
      }
    }
    if (prog) {
      this.deleteFrom(src, prog.resume_line, prog.resume_off);
      start = { baseOff: 0, baseLine: 0, skipBefore: prog.resume_off, stack: parseStack(prog.state) };
    }
    const progress: ProgressRow = {
      src,
      path: prog?.path ?? null,
      base: baseOf(entry),
      head_len: head.length,
      head_hash: sha256(head),
      size: 0,
      lines: 0,
      resume_off: prog?.resume_off ?? 0,
      resume_line: prog?.resume_line ?? 1,
      state: prog?.state ?? '[]',
      current: 0,
    };
    async function* replay(): AsyncGenerator<Buffer> {
      for (const b of pre) yield b;
      if (readError) throw readError;
      if (ended) return;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    }
    const r = await this.parse(name, src, replay, start, progress, false);
    if (!r.readError) this.db.prepare('UPDATE sources SET done = 1 WHERE id = ?').run(src);
    return { report: { source: name, status: r.failedBeforeData ? 'unreadable' : status, newLines: r.lines, newEvents: r.events }, complete: !r.readError };
  }

  /** Reads one source from a start point into the index, committing in batches. */
  private async parse(
    name: string,
    src: number,
    chunks: () => AsyncIterable<Buffer>,
    start: StartPoint,
    progress: ProgressRow,
    live: boolean,
  ): Promise<{ lines: number; events: number; readError: boolean; failedBeforeData: boolean }> {
    const batchSize = this.o.batchSize ?? DEFAULT_BATCH;
    const utf8 = this.o.encoding === 'utf8';
    let rows: Row[] = [];
    let assocs = new Map<number, Frame>();
    let stack: Stack = start.stack;
    let lastStateBefore: Stack = stack;
    let last: { line: number; off: number } | null = null;
    const newId = (): number => this.nextAssoc++;
    let lastTimeStr: string | null = null;
    let lastTimeInt: number | null = null;
    let events = 0;
    let newLines = 0;
    // The event a resumed run starts with was stored (and analysed) before.
    const resumed = start.baseOff > 0 || start.skipBefore > 0;
    const reread = resumed ? { line: progress.resume_line, off: progress.resume_off } : { line: -1, off: -1 };
    const commit = (final: boolean, bytes: number, lines: number): void => {
      if (last) {
        progress.resume_off = last.off;
        progress.resume_line = last.line;
        progress.state = JSON.stringify(lastStateBefore);
      }
      // Mid-run the recorded size is the resume point, so an interrupted run is continued, not skipped.
      progress.size = final ? bytes : progress.resume_off;
      progress.lines = lines;
      try {
        this.w.commit(src, rows, assocs, progress);
        const n = rows.length;
        rows = [];
        assocs = new Map();
        this.o.afterCommit?.({ source: name, events: n });
      } catch (err) {
        throw new Fatal(err);
      }
    };
    let splitterRef: LineSplitter | null = null;
    const assembler = new EventAssembler(
      name,
      { dateOrder: this.o.dateOrder },
      (e) => {
        const before = stack;
        const a = applyAssociation(stack, e, newId);
        stack = a.stack;
        const f = e.fields;
        let fr = a.frame;
        if (a.changed && fr) assocs.set(fr.id, fr);
        if (e.kind === 'user-log') {
          const ae = str(f.ae);
          if (ae !== null) {
            const key = src + '\0' + ae;
            let id = this.userAssoc.get(key);
            if (id === undefined) {
              id = newId();
              this.userAssoc.set(key, id);
              assocs.set(id, { id, t: null, ca: ae, cd: null, d: null });
            }
            fr = { id, t: null, ca: ae, cd: null, d: null };
          }
        }
        if (e.time !== lastTimeStr) {
          lastTimeStr = e.time;
          lastTimeInt = timeToInt(e.time);
        }
        const pacsName = typeof f.pacsName === 'string' ? f.pacsName : null;
        rows.push({
          line: e.line,
          off: e.offset,
          time: lastTimeInt,
          kind: e.kind,
          assoc: fr?.id ?? null,
          patient: str(f.patientId) ?? str(f.patientFolder) ?? wherePair(f, PATIENT_COLUMNS),
          study: str(f.studyUid) ?? wherePair(f, STUDY_COLUMNS),
          series: str(f.seriesUid) ?? wherePair(f, SERIES_COLUMNS),
          text: e.text,
          fields: pacsName !== null ? JSON.stringify({ pacsName }) : null,
        });
        events++;
        if (this.o.onEvent && !(e.line === reread.line && e.offset === reread.off)) this.o.onEvent(e);
        last = { line: e.line, off: e.offset };
        lastStateBefore = before;
        if (rows.length >= batchSize) commit(false, 0, splitterRef ? start.baseLine + splitterRef.lines : start.baseLine);
      },
      this.problem,
    );
    const splitter = new LineSplitter(
      name,
      (buf, s, end, offset, lineNo) => {
        let off = start.baseOff + offset;
        if (off < start.skipBefore) {
          // Stored already; a line the resume point cuts (a message glued to the previous one) is read from there.
          if (off + (end - s) <= start.skipBefore) return;
          s += start.skipBefore - off;
          off = start.skipBefore;
        }
        newLines++;
        assembler.line(decodeLine(buf, s, end, utf8), off, start.baseLine + lineNo);
      },
      this.problem,
    );
    splitterRef = splitter;
    let first = true;
    let readError = false;
    let failedBeforeData = false;
    const bytesAtStart = this.bytesDone;
    try {
      for await (const chunk of chunks()) {
        if (first) {
          first = false;
          if (start.baseOff === 0 && start.skipBefore === 0) {
            const bin = looksBinary(chunk);
            if (bin.binary) {
              this.problem({ source: name, offset: bin.offset, message: binaryMessage(bin) });
              return { lines: 0, events: 0, readError: true, failedBeforeData: true };
            }
          }
        }
        splitter.push(chunk);
        this.bytesRead += chunk.length;
        if (live) {
          this.bytesDone = bytesAtStart + start.baseOff + splitter.bytes;
          this.tick(name);
        }
      }
    } catch (err) {
      if (err instanceof Fatal) throw err.cause;
      const why = readErrorReason(err);
      const at = start.baseOff + splitter.bytes;
      this.problem({ source: name, ...(splitter.bytes > 0 ? { line: start.baseLine + splitter.lines + 1 } : {}), offset: at, message: `read stopped: ${why}; kept what was read before` });
      readError = true;
      if (first) failedBeforeData = true;
    }
    try {
      splitter.end();
      assembler.end();
    } catch (err) {
      if (err instanceof Fatal) throw err.cause;
      throw err;
    }
    commit(true, start.baseOff + splitter.bytes, start.baseLine + splitter.lines);
    return { lines: newLines, events, readError, failedBeforeData };
  }
}

/** A database error or an interruption: ends the run (the committed batches stay). */
class Fatal extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

function parseStack(s: string | null): Stack {
  if (!s) return [];
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) ? (v as Frame[]) : [];
  } catch {
    return [];
  }
}

/** Indexes paths into an open database. */
export function indexPaths(db: DB, paths: string[], o: IndexOptions = {}): Promise<IndexSummary> {
  return new Indexer(db, o).run(paths);
}
