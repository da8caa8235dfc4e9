/**
 * The analysis lane on two threads, for a large file or .gz: a worker reads and splits the bytes and
 * reads prefix, kind, object-path keys and thread numbers from them (laneScan.ts), while this thread
 * assembles the events and runs the engine. This thread's half is the larger one (about three
 * quarters of the one-thread time on a router's log), so the worker takes a quarter off at best:
 * measured here, 8 % at 200 MB to 25 % at 1 GB, for about 30 % more CPU time in all. The events,
 * their order and every value are those of the one-thread lane: the records carry exactly what
 * readSource computes per line, and this thread still has every line's bytes to decode what the
 * consumer asks to cite.
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Fields, ProblemSink } from '../parse/event.js';
import type { EventAssembler } from '../parse/assemble.js';
import { decodeLine } from '../source/lines.js';
import { laneDetail, type AnalysisLane } from './lane.js';
import {
  FULL_PATH,
  KEY_EMPTY,
  KEY_THREAD,
  laneKinds,
  REC,
  R_END,
  R_NUMBER,
  R_KEY,
  R_KIND,
  R_LINE,
  R_M,
  R_OFFSET,
  R_SRC,
  R_START,
  R_TIME,
  type LaneBatch,
  type LaneJob,
  type LaneMessage,
  type LaneWorkerData,
  type ToLaneWorker,
} from './laneScan.js';

/**
 * Files smaller than this are read in one thread. Measured here (2 cores), `analyze` with the worker
 * against one thread: about even at 100 MB, 8 % faster at 200 MB, 12 % at 400 MB, 25 % at 1 GB; the
 * worker's start and its own warm-up cost what it saves on smaller files.
 */
export const WORKER_LANE_MIN_BYTES = 128 << 20;

/** Cores a compressed source (.gz, zip entry) needs for the worker: one more for inflating. */
export const WORKER_LANE_COMPRESSED_CORES = 4;

/**
 * Whether the next source goes through the worker, once the sources read so far (this one
 * included) hold `bytes`: at least WORKER_LANE_MIN_BYTES, on a machine with more than one core; for
 * a compressed source, with WORKER_LANE_COMPRESSED_CORES. On this project's 2-core machine a folder
 * of daily zips gained nothing with the worker: zlib inflates on the thread pool, and both threads
 * waited on it a third of the time. `CQLOG_WORKER_LANE` says `0` (never) or `1` (always; tests).
 */
export function workerLaneFor(bytes: number, compressed = false): boolean {
  const forced = process.env.CQLOG_WORKER_LANE;
  if (forced === '0') return false;
  if (forced === '1') return true;
  return bytes >= WORKER_LANE_MIN_BYTES && availableParallelism() >= (compressed ? WORKER_LANE_COMPRESSED_CORES : 2);
}

/** Batches taken from workers so far in this process, and the most lines one held (tests check the worker ran, and its bounds). */
export const workerLaneCounters = { batches: 0, mostLines: 0 };

/** Where the worker's code is; tests point `override` at a worker that fails. */
export const workerLaneFile: { override: string | null } = { override: null };

/** The compiled worker: beside this module in dist/, or in dist/pipeline/ when this module runs from src/ (tests). */
function workerFile(): string {
  if (workerLaneFile.override !== null) return workerLaneFile.override;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, 'laneWorker.js');
  return existsSync(beside) ? beside : path.join(here, '..', '..', 'dist', 'pipeline', 'laneWorker.js');
}

export interface WorkerLaneResult {
  lines: number;
  bytes: number;
  readable: boolean;
  /** False when the source was skipped before its lines (binary content): the assembler is not to be ended. */
  finished: boolean;
}

/**
 * One worker thread for the sources of one reading, started when they reach WORKER_LANE_MIN_BYTES
 * and then kept for the rest (its start is paid once: a Conquest folder is many daily zips).
 */
export class WorkerLane {
  private readonly worker: Worker;
  private readonly queue: LaneMessage[] = [];
  private failure: Error | null = null;
  private exited = false;
  private wake: (() => void) | null = null;
  /** True while a source is being read (a reading cut short by an error leaves the worker mid-source). */
  private busy = false;
  private readonly kinds = laneKinds();
  private readonly keyStrings = new CanonicalStrings();

  constructor(private readonly lane: AnalysisLane) {
    const data: LaneWorkerData = { kinds: this.kinds, fieldless: [...lane.fieldless], writtenKeysOnly: lane.writtenKeysOnly, threadOnly: [...(lane.threadOnly ?? [])] };
    // The worker keeps little: a small young generation keeps its memory small too.
    this.worker = new Worker(workerFile(), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    this.worker.on('message', (m: LaneMessage) => {
      this.queue.push(m);
      this.notify();
    });
    this.worker.on('error', (err) => {
      this.failure = err;
      this.notify();
    });
    this.worker.on('exit', () => {
      this.exited = true;
      this.notify();
    });
  }

  private notify(): void {
    this.wake?.();
    this.wake = null;
  }

  /** False once the worker has failed or gone: the remaining sources are read in one thread. */
  get usable(): boolean {
    return this.failure === null && !this.exited;
  }

  /**
   * Reads one source through the worker into `assembler`, as readSource's analysis lane would;
   * `onBytes` follows the bytes read. Null when nothing of it was delivered because the worker could
   * not open it or has failed: read it in one thread. A worker that fails after delivering some of
   * it is reported as a read that stopped there.
   */
  async read(job: LaneJob, assembler: EventAssembler, onProblem: ProblemSink, onBytes: (bytes: number) => void): Promise<WorkerLaneResult | null> {
    if (!this.usable) return null;
    this.worker.postMessage({ type: 'job', job } satisfies ToLaneWorker);
    this.busy = true;
    let bytes = 0;
    let lines = 0;
    let delivered = 0;
    let through = 0;
    for (;;) {
      const m = this.queue.shift();
      if (m === undefined) {
        if (!this.usable) break;
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      if (m.type === 'end') {
        this.busy = false;
        return m.unavailable === true ? null : { lines: m.lines, bytes: m.bytes, readable: m.readable, finished: m.finished };
      }
      deliver(m, this.kinds, this.keyStrings, job.name, this.lane, assembler, onProblem);
      delivered++;
      workerLaneCounters.batches++;
      workerLaneCounters.mostLines = Math.max(workerLaneCounters.mostLines, m.n);
      if (m.n > 0) lines = m.recs[(m.n - 1) * REC + R_LINE]!;
      const back = [m.data.buffer as ArrayBuffer, m.recs.buffer as ArrayBuffer];
      this.worker.postMessage({ type: 'ack', data: back[0]!, recs: back[1]! } satisfies ToLaneWorker, back);
      bytes = m.bytes;
      through = m.through;
      onBytes(bytes);
    }
    if (delivered === 0) return null;
    const why = this.failure !== null ? this.failure.message : 'the reading thread stopped';
    // What was delivered ends where the first line not delivered starts; the rest of the source is not read.
    onProblem({ source: job.name, line: lines + 1, offset: through, message: `read stopped: ${why}; kept the lines before` });
    return { lines, bytes: through, readable: true, finished: true };
  }

  /** Ends the worker: at once when it failed or is still in a source (the reading was cut short), else when it has finished. */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    if (this.failure !== null || this.busy) await this.worker.terminate();
    else this.worker.postMessage({ type: 'close' } satisfies ToLaneWorker);
    await gone;
  }
}

/** Strings kept at most by CanonicalStrings (a router's recent patient folders and series); past it, it starts over. */
export const MAX_CANONICAL_STRINGS = 4096;

/**
 * One string object per text among the folder and series keys of successive batches. Each batch
 * arrives with its own copies, so a pair the engine keeps from an earlier batch would be compared
 * character by character on every line; made the same object once a batch (a few dozen keys), the
 * compares are of pointers.
 */
export class CanonicalStrings {
  private readonly seen = new Map<string, string>();

  /** Strings held now (at most MAX_CANONICAL_STRINGS). */
  get size(): number {
    return this.seen.size;
  }

  of(s: string): string {
    const known = this.seen.get(s);
    if (known !== undefined) return known;
    if (this.seen.size >= MAX_CANONICAL_STRINGS) this.seen.clear();
    this.seen.set(s, s);
    return s;
  }
}

/** Feeds one batch's lines to the assembler, as readSource's line handler would. */
function deliver(m: LaneBatch, kinds: string[], keyStrings: CanonicalStrings, source: string, lane: AnalysisLane, asm: EventAssembler, onProblem: ProblemSink): void {
  // Locals, not the message's properties: a deserialised message is a slow object to read from.
  const data = Buffer.from(m.data.buffer, m.data.byteOffset, m.dataLength);
  const extras = m.extras.map((x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  const r = m.recs;
  const n = m.n;
  const times = m.times;
  const keys = m.keys.map((k) => keyStrings.of(k));
  const problems = m.problems;
  let nextProblem = problems.length > 0 ? problems[0]!.at : n;
  let p = 0;
  for (let i = 0; i < n; i++) {
    if (i >= nextProblem) {
      while (p < problems.length && problems[p]!.at <= i) onProblem(problems[p++]!.problem);
      nextProblem = p < problems.length ? problems[p]!.at : n;
    }
    const o = i * REC;
    const src = r[o + R_SRC]!;
    const buf = src < 0 ? data : extras[src]!;
    const end = r[o + R_END]!;
    const kindId = r[o + R_KIND]!;
    if (kindId === FULL_PATH) {
      asm.line(decodeLine(buf, r[o + R_START]!, end), r[o + R_OFFSET]!, r[o + R_LINE]!);
      continue;
    }
    const kind = kinds[kindId]!;
    const msg = r[o + R_M]!;
    asm.known(times[r[o + R_TIME]!]!, kind, r[o + R_OFFSET]!, r[o + R_LINE]!, end - msg);
    const key = r[o + R_KEY]!;
    let fields: Fields | null = null;
    if (key === KEY_EMPTY) fields = {};
    else if (key >= 0) fields = { patientFolder: keys[2 * key]!, seriesUid: keys[2 * key + 1]!, fileTime: r[o + R_NUMBER]! };
    else if (key === KEY_THREAD) fields = { thread: r[o + R_NUMBER]! };
    laneDetail(asm, lane, kind, fields, buf, msg, end, source);
  }
  while (p < problems.length) onProblem(problems[p++]!.problem);
}
