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
import type { Fields, InputProblem, LogEvent, ProblemSink } from '../parse/event.js';
import { OBJECT_PATH_KINDS, ObjectPathReader } from '../parse/catalog/objectPath.js';
import { EventAssembler, type SyslogResume } from '../parse/assemble.js';
import type { DateOrder } from '../parse/dateOrder.js';
import { parsePrefix } from '../parse/prefix.js';
import { ChunkGate, fastKind, FastPrefix } from '../pipeline/fastLane.js';
import { laneDetail, type AnalysisLane } from '../pipeline/readEvents.js';
import { binaryMessage, decodeLine, LineSplitter, looksBinary } from '../source/lines.js';
import { fileChunks, gzipChunks, openZipSource, readErrorReason } from '../source/read.js';
import { resolveInputs } from '../source/resolve.js';
import type { InputItem } from '../source/types.js';
import { parseDicomIni } from '../source/ini.js';
import type { ConquestConfig } from '../source/types.js';
import { applyAssociation, ASSOCIATION_KINDS, type Frame, type Stack } from './assocStack.js';
import { aeTag, BLOCK_BYTES, BLOCK_LINES, blockDocument, kindTag, parseContext, resumeOptions, type BlockContext } from './blocks.js';
import { InlineWriter, WORKER_MIN_BYTES, WorkerWriter, type Batch, type BlockOut, type BlockWriter, type ProgressRow } from './writer.js';
import { BlockEvents } from './eventRows.js';
import { KEY_FIELD_KINDS } from '../parse/catalog/index.js';
import type { DB } from './schema.js';
import { isCalendarTime, timeToInt } from './schema.js';

/** Bytes of a file's head that identify it. */
export const HEAD_BYTES = 4096;
/** Events per transaction (whole blocks are committed, so a batch may hold a few more). */
export const DEFAULT_BATCH = 10_000;
/** Raw bytes per transaction at most (likewise): with one batch in flight, this bounds the memory. */
export const BATCH_BYTES = 8 * 1024 * 1024;

export interface IndexOptions {
  encoding?: 'latin1' | 'utf8';
  dateOrder?: DateOrder;
  /** Events per transaction (rounded up to whole blocks). */
  batchSize?: number;
  /** Raw bytes per transaction at most (default BATCH_BYTES). */
  batchBytes?: number;
  /** Lines per stored block (default BLOCK_LINES; tests use small blocks to exercise batches). */
  blockLines?: number;
  /** Write in a worker thread, or inline (default: a worker for inputs of WORKER_MIN_BYTES or more). */
  writer?: 'worker' | 'inline';
  onProblem?: ProblemSink;
  /** Called as bytes are read (for a progress bar). */
  onProgress?: (p: IndexProgress) => void;
  /** Called for each event newly stored (not for the last event of a previous run, which is read again). */
  onEvent?: (e: LogEvent) => void;
  /** What `onEvent`'s consumer reads of each event (see AnalysisLane): lets the byte lane serve it. */
  analysisLane?: AnalysisLane;
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

// ------------------------------------------------------------------ the indexer

interface StartPoint {
  /** Offset and line number (0-based count of lines before) the chunks start at. */
  baseOff: number;
  baseLine: number;
  /** Lines starting before this offset were stored already: not parsed again. */
  skipBefore: number;
  /** What reading from there needs: the association stack, GUI order, year (the last stored block's context). */
  ctx: BlockContext;
  /** Lines read by earlier runs: their events were passed to `onEvent` already. */
  seenLines: number;
}

export class Indexer {
  private writer: BlockWriter | null = null;
  private readonly problems: InputProblem[] = [];
  private bytesDone = 0;
  private bytesTotal = 0;
  private bytesRead = 0;
  /** Identity of association frames within this run. */
  private nextAssoc = 1;

  constructor(
    private readonly db: DB,
    private readonly o: IndexOptions = {},
  ) {}

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
    const useWorker = this.o.writer === 'worker' || (this.o.writer !== 'inline' && this.bytesTotal >= WORKER_MIN_BYTES);
    this.writer = useWorker && !this.db.memory ? new WorkerWriter(this.db.name) : new InlineWriter(this.db);
    try {
      await this.readAll(resolved.items, sizes, summary);
    } catch (err) {
      if (err instanceof Fatal) throw err.cause;
      throw err;
    } finally {
      await this.writer.close();
      this.writer = null;
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

  /** Deletes the blocks of a source from a resume point (a block start) on: they are read again. */
  private deleteFrom(src: number, line: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM blocks_fts WHERE rowid IN (SELECT id FROM blocks WHERE src = ? AND line >= ?)').run(src, line);
      this.db.prepare('DELETE FROM block_data WHERE id IN (SELECT id FROM blocks WHERE src = ? AND line >= ?)').run(src, line);
      this.db.prepare('DELETE FROM block_events WHERE id IN (SELECT id FROM blocks WHERE src = ? AND line >= ?)').run(src, line);
      this.db.prepare('DELETE FROM blocks WHERE src = ? AND line >= ?').run(src, line);
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
    let start: StartPoint = { baseOff: 0, baseLine: 0, skipBefore: 0, ctx: { s: [] }, seenLines: 0 };
    if (prev) {
      const rotated = size < prev.size || head.length < prev.head_len || sha256(head.subarray(0, prev.head_len)) !== prev.head_hash;
      if (!rotated) {
        if (size === prev.size) {
          this.db.prepare('UPDATE progress SET current = 1 WHERE src = ?').run(prev.src);
          return { source: name, status: 'unchanged', newLines: 0, newEvents: 0 };
        }
        status = 'appended';
        src = prev.src;
        this.deleteFrom(src, prev.resume_line);
        start = { baseOff: prev.resume_off, baseLine: prev.resume_line - 1, skipBefore: 0, ctx: parseContext(prev.state ?? '{}'), seenLines: prev.lines };
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
      state: JSON.stringify(start.ctx),
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
    let start: StartPoint = { baseOff: 0, baseLine: 0, skipBefore: 0, ctx: { s: [] }, seenLines: 0 };
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
      this.deleteFrom(src, prog.resume_line);
      start = { baseOff: 0, baseLine: 0, skipBefore: prog.resume_off, ctx: parseContext(prog.state ?? '{}'), seenLines: prog.lines };
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
      state: prog?.state ?? '{"s":[]}',
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
    const batchBytes = this.o.batchBytes ?? BATCH_BYTES;
    const blockLines = Math.max(1, this.o.blockLines ?? BLOCK_LINES);
    const utf8 = this.o.encoding === 'utf8';
    const onEvent = this.o.onEvent;
    let stack: Stack = start.ctx.s;
    // Frames of a resumed stack came from an earlier run: new ones must not reuse their ids.
    for (const f of stack) if (typeof f.id === 'number' && f.id >= this.nextAssoc) this.nextAssoc = f.id + 1;
    const newId = (): number => this.nextAssoc++;
    let lastTimeStr: string | null = null;
    let lastTimeInt: number | null = null;
    let lastTimeAsWritten: string | null = null;
    let events = 0;
    let newLines = 0;
    let splitterRef: LineSplitter | null = null;
    /** Finished blocks not committed yet, and their events. */
    let done: BlockOut[] = [];
    let doneEvents = 0;
    let doneBytes = 0;
    /** Blocks cut (or being filled: the last one) whose events are not all emitted yet, in file order. */
    const open: OpenBlock[] = [];
    let assembler: EventAssembler | null = null;

    // Batches are committed in order, at most one in flight (src/store/writer.ts): parsing goes on meanwhile.
    const writer = this.writer!;
    const queue: Batch[] = [];
    let inflight: Promise<void> | null = null;
    const commit = (final: boolean, bytes: number, lines: number): void => {
      const last = done.length > 0 ? done[done.length - 1]! : null;
      if (last) {
        // The last block is read again by the next run (lines may be appended to its last event).
        progress.resume_off = last.off;
        progress.resume_line = last.line;
        progress.state = JSON.stringify(last.ctx);
      }
      // Mid-run the recorded size is the resume point, so an interrupted run is continued, not skipped.
      progress.size = final ? bytes : progress.resume_off;
      progress.lines = lines;
      queue.push({ src, blocks: done, progress: { ...progress } });
      done = [];
      doneEvents = 0;
      doneBytes = 0;
    };
    /** Hands queued batches to the writer; with `all`, waits until every one is committed. */
    const pump = async (all: boolean): Promise<void> => {
      while (queue.length > 0 || (all && inflight)) {
        if (inflight) {
          const p = inflight;
          inflight = null;
          await p;
        }
        const b = queue.shift();
        if (!b) continue;
        const n = b.blocks.reduce((k, x) => k + x.events, 0);
        // A database error (or the test hook's interruption) ends the run: it is not a read error.
        inflight = writer
          .commit(b)
          .then(() => this.o.afterCommit?.({ source: name, events: n }))
          .catch((err: unknown) => {
            throw new Fatal(err);
          });
        inflight.catch(() => {}); // handled where it is awaited
      }
    };
    const finish = (b: OpenBlock): void => {
      const tags: string[] = [];
      for (const k of b.kinds) tags.push(kindTag(k));
      for (const ae of b.aes) tags.push(aeTag(ae));
      // The order in effect at the block's first line; else the one decided later (its dates were held for it).
      const order = b.order ?? assembler?.dateOrder ?? null;
      const ctx: BlockContext = { s: b.stack ?? stack };
      if (order !== null) ctx.o = order;
      if (b.year !== undefined) ctx.y = b.year;
      if (b.inherit !== undefined) ctx.t = b.inherit;
      if (b.syslog !== null) ctx.sy = b.syslog;
      if (b.gaps.length > 0) ctx.g = b.gaps;
      if (utf8) ctx.u = 1;
      const raw = b.bytes.subarray(0, b.len);
      done.push({
        line: b.line,
        off: b.off,
        endLine: b.endLine,
        events: b.events,
        untimed: b.untimed,
        tmin: b.tmin,
        tmax: b.tmax,
        ctx,
        raw,
        doc: blockDocument(raw, utf8, b.blanks, tags.join(' ')),
        eventRows: b.ev.toJSON(),
      });
      doneEvents += b.events;
      doneBytes += raw.length;
      // A batch is bounded by events and by bytes (events of many continuation lines are large).
      if (doneEvents >= batchSize || doneBytes >= batchBytes) commit(false, 0, splitterRef ? start.baseLine + splitterRef.lines : start.baseLine);
    };
    /** The block holding an event's first line (events come in file order; a cut block behind it is complete). */
    const blockOf = (line: number): OpenBlock => {
      while (open.length > 1 && line > open[0]!.endLine) finish(open.shift()!);
      let b = open[0]!;
      for (let i = 1; i < open.length && line >= open[i]!.line; i++) b = open[i]!;
      return b;
    };
    const addFrame = (b: OpenBlock, fr: Frame): void => {
      b.frames.add(fr.id);
      if (fr.ca !== null) b.aes.add(fr.ca);
      if (fr.cd !== null) b.aes.add(fr.cd);
      if (fr.d !== null) b.aes.add(fr.d);
    };
    const addEvent = (b: OpenBlock, kind: string, time: string | null, fr: Frame | null, line: number, fields: Fields | null): void => {
      b.events++;
      b.kinds.add(kind);
      if (fr !== null && fr !== b.lastFrame) {
        b.lastFrame = fr;
        addFrame(b, fr);
      }
      if (time !== lastTimeStr) {
        lastTimeStr = time;
        lastTimeInt = timeToInt(time);
        // A date the calendar does not have (month 13, year 0099) is normalised by the conversion:
        // the events view then shows the time as written.
        lastTimeAsWritten = time !== null && !isCalendarTime(time) ? time : null;
      }
      const t = lastTimeInt;
      if (t === null) b.untimed++;
      else {
        if (b.tmin === null || t < b.tmin) b.tmin = t;
        if (b.tmax === null || t > b.tmax) b.tmax = t;
        if (b.year === undefined) b.year = Number(time!.slice(0, 4));
      }
      b.ev.add(line, t, lastTimeAsWritten, kind, fr, fields);
    };
    /** The line being given to the assembler: its own events wait until its block is settled. */
    let feeding = -1;
    const deferred: (() => void)[] = [];
    const onAssembled = (e: LogEvent): void => {
      if (e.line === feeding) {
        deferred.push(() => onAssembled(e));
        return;
      }
      const b = blockOf(e.line);
      const a = applyAssociation(stack, e, newId);
      if (b.stack === null) {
        b.stack = stack;
        // A block that starts inside an event (a continuation over the caps) gives its first lines this time.
        if (b.bare) b.inherit = e.time;
      }
      stack = a.stack;
      const fr = a.frame;
      if (a.changed && fr !== null) {
        // An AE named after the association's first lines: the open blocks holding those lines get its tag too.
        for (const x of open) if (x !== b && x.frames.has(fr.id)) addFrame(x, fr);
      }
      addEvent(b, e.kind, e.time, fr, e.line, e.fields);
      // The last block of an earlier run is read again: its events are not new.
      if (e.line > start.seenLines) {
        events++;
        onEvent?.(e);
      }
    };
    /** A fast-lane event (never one that changes an association): it belongs to the innermost open one. */
    const onCounted = (kind: string, time: string | null, line: number, fields: Fields | null): void => {
      if (line === feeding) {
        deferred.push(() => onCounted(kind, time, line, fields));
        return;
      }
      const b = blockOf(line);
      b.stack ??= stack;
      addEvent(b, kind, time, stack.length > 0 ? stack[stack.length - 1]! : null, line, fields);
      if (line > start.seenLines) events++;
    };
    const resumeAt = start.ctx;
    assembler = new EventAssembler(
      name,
      {
        dateOrder: this.o.dateOrder,
        encoding: utf8 ? 'utf8' : 'latin1',
        ...resumeOptions(resumeAt),
        // The analysis lane may share one pending record, as in readEvents (see EventAssembler.known).
        ...(onEvent && this.o.analysisLane ? { reuseKnown: true } : {}),
      },
      onAssembled,
      this.problem,
    );
    const asm = assembler;

    // The fast lane decides prefix and kind from the bytes (see src/pipeline/fastLane.ts). The findings
    // (onEvent) need whole events: with an analysis lane (the engine's, see readEvents.ts) the byte lane
    // still serves them, otherwise every line takes the full parser. UTF-8 always needs decoding.
    const byBytes = !utf8 && process.env.CQLOG_NO_FAST_LANE !== '1';
    // (The view needs only the keys of object paths: a consumer that wants their other fields gets the full parser.)
    const lane = byBytes && onEvent && this.o.analysisLane?.writtenKeysOnly ? this.o.analysisLane : null;
    const fast = byBytes && (!onEvent || lane !== null) ? new FastPrefix() : null;
    let fastOk = fast !== null;
    const gate = new ChunkGate();
    if (fast && lane === null) asm.onCounted = onCounted;
    const objectKeys = new ObjectPathReader();
    /** The line last appended: its terminator is known when the next line (or the end) shows its offset. */
    let pendOff = -1;
    let pendLen = 0;
    /** Ends the pending line where the next one starts, or at the end of the source (which may have no newline). */
    const terminate = (nextOff: number, atEnd = false): void => {
      if (pendOff < 0) return;
      const cur = open[open.length - 1]!;
      const gap = nextOff - pendOff - pendLen;
      if (gap === 2) appendBytes(cur, CRLF, 0, 2);
      else if (gap === 1 || !atEnd) {
        appendBytes(cur, CRLF, 1, 2);
        // An over-long line the splitter cut: the bytes it dropped are a gap in the block's offsets.
        if (gap > 2) cur.gaps.push(cur.len, gap - 1);
      }
      pendOff = -1;
    };
    /** The chunk being split, and a run of its bytes [runStart, runEnd) not yet copied into the current block. */
    let chunkNow: Buffer | null = null;
    /** Source offset of the chunk's byte 0 (a run's bytes are the source's own bytes). */
    let runOff = NaN;
    let runStart = 0;
    let runEnd = 0;
    const runLen = (): number => runEnd - runStart;
    const flushRun = (): void => {
      if (runEnd > runStart) appendBytes(open[open.length - 1]!, chunkNow!, runStart, runEnd);
      runStart = runEnd = 0;
    };
    const onLine = (buf: Buffer, s: number, end: number, offset: number, lineNo: number): void => {
      let off = start.baseOff + offset;
      if (off < start.skipBefore) {
        // Stored already (a resume point is a block start, so a line is never cut here).
        if (off + (end - s) <= start.skipBefore) return;
        s += start.skipBefore - off;
        off = start.skipBefore;
      }
      const lineAbs = start.baseLine + lineNo;
      if (lineAbs > start.seenLines) newLines++;
      let m = -1;
      let kind: string | null = null;
      let text: string | null = null;
      let keys: Fields | null = null;
      if (fastOk) {
        m = fast!.messageStart(buf, s, end);
        kind = fastKind(buf, m, end);
        if (kind !== null && ASSOCIATION_KINDS.has(kind)) kind = null; // their fields are needed
        else if (kind !== null && KEY_FIELD_KINDS.has(kind)) {
          // The events view's patient, study and series: read from the bytes for object paths, else parsed.
          keys = OBJECT_PATH_KINDS.has(kind) ? (objectKeys.read(buf, m, end) as Fields | null) : null;
          if (keys === null) kind = null;
        } else if (kind !== null && lane !== null && lane.fieldless.has(kind)) keys = {};
      }
      terminate(off);
      // The line goes to the assembler first: a block is cut only before a line that starts an event,
      // which the assembler knows (continuation lines, messages of their own, the continuation caps).
      let cur = open.length > 0 ? open[open.length - 1]! : null;
      const full = cur === null || cur.lines >= blockLines || cur.len + runLen() >= BLOCK_BYTES;
      // What a new block starts with is the state before this line (taken only when a cut may come).
      const orderBefore = full ? asm.dateOrder : null;
      const syslogBefore = full ? asm.syslogResume : null;
      feeding = lineAbs;
      if (kind !== null) {
        asm.known(fast!.time, kind, off, lineAbs, end - m);
        if (lane !== null) {
          // Every earlier event has reached onEvent: the engine can say whether it may cite this one.
          laneDetail(asm, lane, kind, keys, buf, m, end, name);
        } else if (keys !== null) asm.knownDetail(null, keys);
      } else asm.line((text = decodeLine(buf, s, end, utf8)), off, lineAbs);
      feeding = -1;
      if (cur === null || (full && asm.lineStartedEvent)) {
        if (cur) flushRun();
        cur = newBlock(lineAbs, off);
        cur.order = orderBefore;
        cur.syslog = syslogBefore;
        cur.bare = m === -1 && text !== null && asm.timed && parsePrefix(text).shape === 'none';
        open.push(cur);
      }
      if (deferred.length > 0) for (const f of deferred.splice(0)) f();
      const lineAt = cur.len + runLen();
      // Where the chunk shows the line's own terminator, the line is these bytes of the chunk exactly:
      // consecutive ones are copied in one run. Otherwise (a line over a chunk edge, a cut over-long
      // line, the last line) the terminator is settled by the next line's offset.
      const t = buf === chunkNow && end < buf.length ? (buf[end] === 10 ? 1 : buf[end] === 13 && buf[end + 1] === 10 ? 2 : 0) : 0;
      if (t > 0 && off - s === runOff) {
        if (runEnd !== s) {
          flushRun();
          runStart = s;
        }
        runEnd = end + t;
      } else {
        flushRun();
        appendBytes(cur, buf, s, end);
        if (t > 0) appendBytes(cur, buf, end, end + t);
        else {
          pendOff = off;
          pendLen = end - s;
        }
      }
      if (m !== -1) {
        // The timestamp is not searched as text (--since/--until are): kept out of the document.
        cur.blanks.push(lineAt, lineAt + (m - s));
      }
      cur.lines++;
      cur.endLine = lineAbs;
    };
    const splitter = new LineSplitter(name, onLine, this.problem);
    splitterRef = splitter;
    let first = true;
    let readError = false;
    let failedBeforeData = false;
    const bytesAtStart = this.bytesDone;
    const source = chunks()[Symbol.asyncIterator]();
    try {
      for (;;) {
        // Only the source's own errors are read errors; one raised while parsing or storing ends the run.
        let next: IteratorResult<Buffer>;
        try {
          next = await source.next();
        } catch (err) {
          throw new ReadFailure(err);
        }
        if (next.done) break;
        const chunk = next.value;
        if (first) {
          first = false;
          if (start.baseOff === 0 && start.skipBefore === 0) {
            const bin = looksBinary(chunk);
            if (bin.binary) {
              this.problem({ source: name, offset: bin.offset, message: binaryMessage(bin) });
              await source.return?.(undefined);
              return { lines: 0, events: 0, readError: true, failedBeforeData: true };
            }
          }
        }
        if (fast) {
          fastOk = gate.accept(chunk);
        }
        chunkNow = chunk;
        runOff = start.baseOff + splitter.bytes;
        try {
          splitter.push(chunk);
          flushRun(); // the chunk's buffer may be reused for the next read
        } catch (err) {
          throw err instanceof Fatal ? err : new Fatal(err);
        }
        chunkNow = null;
        await pump(false);
        this.bytesRead += chunk.length;
        if (live) {
          this.bytesDone = bytesAtStart + start.baseOff + splitter.bytes;
          this.tick(name);
        }
      }
    } catch (caught) {
      if (!(caught instanceof ReadFailure)) await source.return?.(undefined).catch(() => undefined); // close the file
      if (caught instanceof Fatal) throw caught.cause;
      const err = caught instanceof ReadFailure ? caught.cause : caught;
      if (!(caught instanceof ReadFailure)) throw err;
      const why = readErrorReason(err);
      const at = start.baseOff + splitter.bytes;
      this.problem({ source: name, ...(splitter.bytes > 0 ? { line: start.baseLine + splitter.lines + 1 } : {}), offset: at, message: `read stopped: ${why}; kept what was read before` });
      readError = true;
      if (first) failedBeforeData = true;
    }
    const total = start.baseOff + splitter.bytes;
    try {
      splitter.end();
      terminate(total, true);
      asm.end();
      while (open.length > 0) finish(open.shift()!);
    } catch (err) {
      if (err instanceof Fatal) throw err.cause;
      throw err;
    }
    commit(true, total, start.baseLine + splitter.lines);
    try {
      await pump(true);
    } catch (err) {
      if (err instanceof Fatal) throw err.cause;
      throw err;
    }
    return { lines: newLines, events, readError, failedBeforeData };
  }
}

const CRLF = Buffer.from('\r\n', 'latin1');

/** A block being filled, or cut and waiting for its last events. */
interface OpenBlock {
  line: number;
  off: number;
  endLine: number;
  lines: number;
  bytes: Buffer;
  len: number;
  events: number;
  tmin: number | null;
  tmax: number | null;
  year: number | undefined;
  kinds: Set<string>;
  aes: Set<string>;
  /** The association stack before its first event. */
  stack: Stack | null;
  /** The association whose AEs were added last (most lines repeat it). */
  lastFrame: Frame | null;
  /** Timestamp byte ranges (start, end pairs, relative to the block). */
  blanks: number[];
  /** Events without a time. */
  untimed: number;
  /** The syslog year state before its first line. */
  syslog: SyslogResume | null;
  /** Associations (frame ids) whose lines it holds. */
  frames: Set<number>;
  /** The GUI order before its first line. */
  order: DateOrder | null;
  /** Its first line continues an event (no prefix of its own)… */
  bare: boolean;
  /** …whose time it inherits. */
  inherit: string | null | undefined;
  /** Offset gaps (position in the block, bytes missing) after over-long lines the splitter cut. */
  gaps: number[];
  /** Its events, for the `events` view. */
  ev: BlockEvents;
}

function newBlock(line: number, off: number): OpenBlock {
  return {
    line,
    off,
    endLine: line,
    lines: 0,
    bytes: Buffer.allocUnsafe(BLOCK_BYTES + 4096),
    len: 0,
    events: 0,
    tmin: null,
    tmax: null,
    year: undefined,
    kinds: new Set(),
    aes: new Set(),
    stack: null,
    lastFrame: null,
    blanks: [],
    untimed: 0,
    syslog: null,
    frames: new Set(),
    order: null,
    bare: false,
    inherit: undefined,
    gaps: [],
    ev: new BlockEvents(line),
  };
}

function appendBytes(b: OpenBlock, src: Buffer, s: number, e: number): void {
  const n = e - s;
  if (b.len + n > b.bytes.length) {
    const grown = Buffer.allocUnsafe(Math.max(b.bytes.length * 2, b.len + n));
    b.bytes.copy(grown, 0, 0, b.len);
    b.bytes = grown;
  }
  src.copy(b.bytes, b.len, s, e);
  b.len += n;
}

/** An error of the source being read (a damaged zip, an I/O error): reported, and the rest is kept. */
class ReadFailure extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** A database error or an interruption: ends the run (the committed batches stay). */
class Fatal extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Indexes paths into an open database. */
export function indexPaths(db: DB, paths: string[], o: IndexOptions = {}): Promise<IndexSummary> {
  return new Indexer(db, o).run(paths);
}
