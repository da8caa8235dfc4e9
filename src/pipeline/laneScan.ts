/**
 * The byte side of the analysis lane, run in a worker thread for a large file (see parallelLane.ts):
 * lines are split, and their prefix, kind and object-path keys read from the bytes, exactly as
 * readSource does in one thread. What it finds goes to the main thread in batches: the bytes
 * (so the main thread can still decode any line it is asked to cite), one numeric record per line,
 * and the few strings the records point at (times, folder/series keys). The main thread then
 * feeds its assembler and engine from the records, in the same order and with the same values.
 */
import type { InputProblem } from '../parse/event.js';
import { allKinds } from '../parse/catalog/index.js';
import { LANE_EMPTY, LANE_KEYS, LANE_THREAD, LaneFieldReader } from './lane.js';
import { LineSplitter } from '../source/lines.js';
import { ChunkGate, fastKind, FastPrefix } from './fastLane.js';
import { splitSource } from './splitSource.js';
import { keyTag } from '../common/keyTag.js';

/** Numbers per line record, and what each holds. */
export const REC = 10;
/** Where the line's bytes are: -1 the batch's data, k its k-th carried line. */
export const R_SRC = 0;
export const R_START = 1;
export const R_END = 2;
/** Where the message starts (after the prefix), for a line whose kind the bytes gave. */
export const R_M = 3;
/** Index in `laneKinds()`, or FULL_PATH: the main thread decodes and classifies the line. */
export const R_KIND = 4;
/** Index in the batch's `times`. */
export const R_TIME = 5;
/** KEY_NONE (no fields from the bytes), KEY_EMPTY (fieldless: `{}`), KEY_THREAD (`{ thread }`, in R_NUMBER), or a pair index in `keys`. */
export const R_KEY = 6;
/** The file time of an object path, or the thread number of a thread line. */
export const R_NUMBER = 7;
export const R_OFFSET = 8;
export const R_LINE = 9;

export const FULL_PATH = -1;
export const KEY_NONE = -1;
export const KEY_EMPTY = -2;
export const KEY_THREAD = -3;

/** Batches the worker may have posted that the main thread has not yet taken (bounds memory). */
export const MAX_IN_FLIGHT = 2;

/** What the worker reads: the lane's declarations, given when it starts. */
export type LaneWorkerData = LaneScanOptions;

/** A source for the worker to read: a file, a .gz, or the `index`-th log entry of a zip (named `entry`). */
export type LaneJob = { type: 'file' | 'gzip'; name: string; path: string } | { type: 'zip-entry'; name: string; path: string; entry: string; index: number };

/**
 * The main thread's answer to a batch it has taken: the batch's two buffers, handed back for the
 * next batches (a new 1 MiB buffer per batch would make V8 collect its heap every few dozen).
 */
export type ToLaneWorker = { type: 'job'; job: LaneJob } | { type: 'ack'; data: ArrayBuffer; recs: ArrayBuffer } | { type: 'close' };

/** Bytes of line data a batch carries (its lines' chunks, copied). */
export const BATCH_BYTES = 1 << 20;
/** Records a batch has room for at first, and after which it goes (a 1 MiB batch of a router log holds about 8,000 lines). */
export const BATCH_RECORDS = 10240;
/** Recent folder/series pairs a batch looks up before adding one (interleaved pushes). */
const RECENT_KEYS = 8;

let kindTable: string[] | null = null;
/**
 * The kinds a record's R_KIND indexes, in the main thread's order: the main thread sends its list
 * to the worker (LaneScanOptions.kinds), so the two cannot number them differently.
 */
export function laneKinds(): string[] {
  return (kindTable ??= allKinds());
}

export interface LaneBatch {
  type: 'batch';
  /** The bytes of the batch's chunks; `dataLength` of them are used. */
  data: Uint8Array;
  dataLength: number;
  /** Lines that straddled two chunks (or were cut), each its own bytes. */
  extras: Uint8Array[];
  recs: Float64Array;
  n: number;
  times: string[];
  /** Folder and series of each key pair, flattened. */
  keys: string[];
  /** Problems, each to be reported before record `at`. */
  problems: { at: number; problem: InputProblem }[];
  /** Bytes read so far… */
  bytes: number;
  /** …and where the first line not in this or an earlier batch starts (a worker that dies after it loses the rest from there). */
  through: number;
}

export interface LaneEnd {
  type: 'end';
  /** True when the worker could not open the source as the main thread did: nothing was posted for it, and the main thread reads it itself. */
  unavailable?: boolean;
  lines: number;
  bytes: number;
  readable: boolean;
  /** False when the source was skipped before its lines (binary): nothing is to be finished. */
  finished: boolean;
}

export type LaneMessage = LaneBatch | LaneEnd;

export interface LaneScanOptions {
  /** The kinds as the main thread numbers them (laneKinds()). */
  kinds: readonly string[];
  fieldless: readonly string[];
  writtenKeysOnly: boolean;
  threadOnly: readonly string[];
}

/** Posts a message (transferring the buffers listed); resolves when another may be posted. */
export type LanePost = (m: LaneMessage, transfer: ArrayBuffer[]) => Promise<void> | void;

/** Scans sources into batches, one after the other; `recycle` takes back the buffers of a batch the main thread is done with. */
export interface LaneScan {
  run(source: string, chunks: AsyncIterable<Buffer>, post: LanePost): Promise<void>;
  recycle(data: ArrayBuffer, recs: ArrayBuffer): void;
}

class BatchBuilder {
  constructor(kinds: readonly string[]) {
    this.kindIds = new Map(kinds.map((k, i) => [k, i] as const));
  }

  /** Buffers handed back by the main thread, for the next batches. */
  private readonly spareData: ArrayBuffer[] = [];
  private readonly spareRecs: ArrayBuffer[] = [];
  private readonly kindIds: Map<string, number>;
  private data = Buffer.allocUnsafeSlow(BATCH_BYTES);
  private dataLength = 0;
  private extras: Uint8Array[] = [];
  private recs = new Float64Array(REC * BATCH_RECORDS);
  private n = 0;
  private times: string[] = [];
  private lastTime: string | null = null;
  private keys: string[] = [];
  private recentKeys: { folder: string; series: string; seriesTag: number; at: number }[] = [];
  /** The last kind numbered, and its number: lines of one kind come in runs (a Map lookup each costs more). */
  private lastKind: string | null = null;
  private lastKindId = -1;
  private problems: { at: number; problem: InputProblem }[] = [];

  /** A problem to report before the next record. */
  problem(p: InputProblem): void {
    this.problems.push({ at: this.n, problem: p });
  }

  /** Copies a chunk into the batch, returning where it starts, or -1 when the batch has no room for it. */
  place(chunk: Buffer): number {
    if (this.dataLength > 0 && this.dataLength + chunk.length > this.data.length) return -1;
    if (chunk.length > this.data.length) this.data = Buffer.allocUnsafeSlow(chunk.length);
    const at = this.dataLength;
    chunk.copy(this.data, at);
    this.dataLength += chunk.length;
    return at;
  }

  /**
   * True when the batch is to go: its bytes reach BATCH_BYTES, or its records BATCH_RECORDS (a log
   * of very short lines would otherwise grow one record array per megabyte of them). Asked between
   * chunks, so a batch holds at most BATCH_RECORDS plus one chunk's lines.
   */
  get full(): boolean {
    return this.dataLength >= BATCH_BYTES || this.n >= BATCH_RECORDS;
  }

  get empty(): boolean {
    return this.n === 0 && this.problems.length === 0 && this.dataLength === 0;
  }

  /** A line's bytes kept apart (not in a placed chunk); returns its R_SRC. */
  extra(buf: Buffer, start: number, end: number): number {
    this.extras.push(Uint8Array.prototype.slice.call(buf, start, end));
    return this.extras.length - 1;
  }

  /** A new record (all fields KEY_NONE/FULL_PATH until set): its index in `recs`. */
  record(): number {
    if ((this.n + 1) * REC > this.recs.length) {
      const grown = new Float64Array(this.recs.length * 2);
      grown.set(this.recs);
      this.recs = grown;
    }
    return this.n++ * REC;
  }

  get records(): Float64Array {
    return this.recs;
  }

  timeIndex(time: string): number {
    if (time !== this.lastTime) {
      this.times.push(time);
      this.lastTime = time;
    }
    return this.times.length - 1;
  }

  keyIndex(folder: string, series: string): number {
    // The reader returns the very same strings for a recent pair, so a hit compares pointers; the tag
    // spares a miss the call a compare of two strings of one length costs.
    const seriesTag = keyTag(series);
    for (const k of this.recentKeys) if (k.seriesTag === seriesTag && k.folder === folder && k.series === series) return k.at;
    const at = this.keys.length >> 1;
    this.keys.push(folder, series);
    if (this.recentKeys.length >= RECENT_KEYS) this.recentKeys.shift();
    this.recentKeys.push({ folder, series, seriesTag, at });
    return at;
  }

  kindId(kind: string): number {
    if (kind === this.lastKind) return this.lastKindId;
    const id = this.kindIds.get(kind);
    if (id === undefined) throw new Error(`kind ${kind} is not in the catalog's list`);
    this.lastKind = kind;
    this.lastKindId = id;
    return id;
  }

  /** Takes back a batch's buffers once the main thread is done with them. */
  recycle(data: ArrayBuffer, recs: ArrayBuffer): void {
    if (data.byteLength === BATCH_BYTES) this.spareData.push(data);
    // A record array that grew (short lines) is kept too: it is reused as it is.
    if (recs.byteLength >= REC * BATCH_RECORDS * 8) this.spareRecs.push(recs);
  }

  /** The batch as a message, with the buffers to transfer; the builder starts a new one. */
  take(bytes: number, through: number): [LaneBatch, ArrayBuffer[]] {
    const m: LaneBatch = {
      type: 'batch',
      data: this.data,
      dataLength: this.dataLength,
      extras: this.extras,
      recs: this.recs,
      n: this.n,
      times: this.times,
      keys: this.keys,
      problems: this.problems,
      bytes,
      through,
    };
    const transfer = [this.data.buffer as ArrayBuffer, this.recs.buffer as ArrayBuffer];
    const data = this.spareData.pop();
    this.data = data !== undefined ? Buffer.from(data) : Buffer.allocUnsafeSlow(BATCH_BYTES);
    this.dataLength = 0;
    this.extras = [];
    const recs = this.spareRecs.pop();
    this.recs = recs !== undefined ? new Float64Array(recs) : new Float64Array(REC * BATCH_RECORDS);
    this.n = 0;
    this.times = [];
    this.lastTime = null;
    this.keys = [];
    this.recentKeys = [];
    this.problems = [];
    return [m, transfer];
  }
}

/**
 * Scans one source's chunks and posts its batches, then its end. Reports what readSource would
 * (binary content, NUL bytes, long lines, a read that stopped), in the same place among the lines.
 */
export function laneScan(opts: LaneScanOptions): LaneScan {
  const batch = new BatchBuilder(opts.kinds);
  return {
    run: (source, chunks, post) => scanSource(source, opts, batch, chunks, post),
    recycle: (data, recs) => batch.recycle(data, recs),
  };
}

async function scanSource(source: string, opts: LaneScanOptions, batch: BatchBuilder, chunks: AsyncIterable<Buffer>, post: LanePost): Promise<void> {
  const fields = new LaneFieldReader(opts);
  const fast = new FastPrefix();
  const gate = new ChunkGate();
  let chunk: Buffer | null = null;
  let base = 0;
  let fastOk = true;
  const onProblem = (problem: InputProblem): void => batch.problem(problem);
  const splitter = new LineSplitter(
    source,
    (buf, start, end, offset, lineNo) => {
      const o = batch.record();
      const r = batch.records;
      let shift: number;
      if (buf === chunk) {
        r[o + R_SRC] = -1;
        shift = base;
      } else {
        r[o + R_SRC] = batch.extra(buf, start, end);
        shift = -start;
      }
      r[o + R_START] = start + shift;
      r[o + R_END] = end + shift;
      r[o + R_OFFSET] = offset;
      r[o + R_LINE] = lineNo;
      r[o + R_KIND] = FULL_PATH;
      r[o + R_KEY] = KEY_NONE;
      if (!fastOk) return;
      const m = fast.messageStart(buf, start, end);
      const kind = m === end ? 'blank' : fastKind(buf, m, end);
      if (kind === null) return;
      r[o + R_M] = m + shift;
      r[o + R_KIND] = batch.kindId(kind);
      r[o + R_TIME] = batch.timeIndex(fast.time);
      const read = fields.read(kind, buf, m, end);
      if (read === LANE_EMPTY) r[o + R_KEY] = KEY_EMPTY;
      else if (read === LANE_KEYS) {
        const k = fields.keys!;
        r[o + R_KEY] = batch.keyIndex(k.patientFolder, k.seriesUid);
        r[o + R_NUMBER] = k.fileTime;
      } else if (read === LANE_THREAD) {
        r[o + R_KEY] = KEY_THREAD;
        r[o + R_NUMBER] = fields.thread;
      }
    },
    onProblem,
  );
  const flush = async (): Promise<void> => {
    const [m, transfer] = batch.take(splitter.bytes, splitter.nextLineOffset);
    await post(m, transfer);
  };
  const outcome = await splitSource(source, chunks, splitter, onProblem, {
    beforeChunk: async (c) => {
      fastOk = gate.accept(c);
      let at = batch.place(c);
      if (at === -1) {
        await flush();
        at = batch.place(c);
      }
      chunk = c;
      base = at;
    },
    afterChunk: async () => {
      chunk = null;
      if (batch.full) await flush();
    },
  });
  if (outcome.binary) {
    await flush();
    await post({ type: 'end', lines: 0, bytes: 0, readable: false, finished: false }, []);
    return;
  }
  splitter.end();
  if (!batch.empty) await flush();
  await post({ type: 'end', lines: splitter.lines, bytes: splitter.bytes, readable: outcome.readable, finished: true }, []);
}
