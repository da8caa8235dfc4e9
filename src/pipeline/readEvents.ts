/**
 * The ingest pipeline: paths → sources → byte lines → events. Every command reads its input
 * through here. Memory is bounded by the read chunk, the longest line kept and the held GUI lines.
 */
import { promises as fsp } from 'node:fs';
import type { InputProblem, LogEvent, ProblemSink } from '../parse/event.js';
import { EventAssembler, type AssembleOptions } from '../parse/assemble.js';
import { decodeLine, LineSplitter } from '../source/lines.js';
import { resolveInputs } from '../source/resolve.js';
import { fileChunks, gzipChunks, openZipSource, stdinChunks } from '../source/read.js';
import { parseDicomIni } from '../source/ini.js';
import { ChunkGate, fastKind, FastPrefix } from './fastLane.js';
import { LaneFieldReader, laneDetail, type AnalysisLane } from './lane.js';
import { splitSource } from './splitSource.js';
import { WorkerLane, workerLaneFor, type WorkerLaneResult } from './parallelLane.js';
import type { LaneJob } from './laneScan.js';
import type { ConquestConfig, SourceSpec } from '../source/types.js';

export type Encoding = 'latin1' | 'utf8';
export { laneDetail, type AnalysisLane } from './lane.js';

export interface IngestOptions extends AssembleOptions {
  encoding?: Encoding;
  /**
   * Kinds-only consumers: fast-lane events arrive here as (source, kind, time, n) instead of as
   * event objects, `n` events in a row of that kind and time at once (the other events still go to
   * the event sink, in order with these).
   */
  onCounted?: (source: string, kind: string, time: string | null, n: number) => void;
  /** Full events for a consumer that reads only some fields and cites only some texts (see AnalysisLane). */
  analysisLane?: AnalysisLane;
}

export interface SourceSummary {
  source: string;
  bytes: number;
  lines: number;
  events: number;
  unknown: number;
  problems: number;
  /** False when nothing of it could be read. */
  readable: boolean;
}

export interface IngestResult {
  sources: SourceSummary[];
  configs: ConquestConfig[];
  problems: InputProblem[];
}

export interface EventSink {
  (e: LogEvent): void;
}

/** Called after each chunk so a slow consumer (a pipe) can apply backpressure. */
export type ChunkHook = () => Promise<void> | void;

/** Problems kept in the result for summaries; all are passed to the sink as they come. */
const MAX_KEPT_PROBLEMS = 1000;

export async function readEvents(
  paths: string[],
  opts: IngestOptions,
  onEvent: EventSink,
  onProblem: ProblemSink,
  afterChunk?: ChunkHook,
): Promise<IngestResult> {
  const result: IngestResult = { sources: [], configs: [], problems: [] };
  const summaries = new Map<string, SourceSummary>();
  const problem: ProblemSink = (p) => {
    if (result.problems.length < MAX_KEPT_PROBLEMS) result.problems.push(p);
    const s = summaries.get(p.source);
    if (s) s.problems++;
    onProblem(p);
  };
  const resolved = await resolveInputs(paths, problem);
  for (const ini of resolved.iniFiles) {
    try {
      result.configs.push(parseDicomIni(await fsp.readFile(ini.path, 'latin1'), ini.name));
    } catch (err) {
      problem({ source: ini.name, message: `cannot read dicom.ini (${(err as Error).message})` });
    }
  }
  // The analysis lane's byte side goes to a worker thread once the sources read reach its threshold.
  const laneEligible =
    opts.analysisLane !== undefined && opts.encoding !== 'utf8' && !opts.tz && opts.kindsOnly !== true && afterChunk === undefined && process.env.CQLOG_NO_FAST_LANE !== '1';
  let laneBytes = 0;
  let workerLane: WorkerLane | null = null;
  let workerFailed = false;
  const viaWorker = (job: LaneJob, size: number): WorkerRead | undefined => {
    if (!laneEligible) return undefined;
    laneBytes += size;
    if (workerFailed || !workerLaneFor(laneBytes, job.type !== 'file')) return undefined;
    if (workerLane === null) {
      try {
        workerLane = new WorkerLane(opts.analysisLane!);
      } catch {
        // No thread to be had (a process limit): one thread reads everything, as it would anyway.
        workerFailed = true;
        return undefined;
      }
    }
    const w = workerLane;
    // A worker that has failed answers null: the source is then read in this thread.
    return (asm, onProblem, onBytes) => w.read(job, asm, onProblem, onBytes);
  };
  const readOne = async (spec: SourceSpec, chunks: () => AsyncIterable<Buffer>, worker?: WorkerRead): Promise<void> => {
    const summary: SourceSummary = { source: spec.name, bytes: 0, lines: 0, events: 0, unknown: 0, problems: 0, readable: false };
    summaries.set(spec.name, summary);
    result.sources.push(summary);
    await readSource(spec, chunks, opts, summary, onEvent, problem, afterChunk, worker);
  };
  try {
    for (const item of resolved.items) {
      if (item.type === 'zip') {
        const zip = await openZipSource(item, problem);
        if (!zip) {
          result.sources.push({ source: item.name, bytes: 0, lines: 0, events: 0, unknown: 0, problems: 1, readable: false });
          continue;
        }
        try {
          if (zip.ini !== null) result.configs.push(parseDicomIni(zip.ini.text, zip.ini.name));
          if (zip.logs.length === 0) problem({ source: item.name, message: 'zip holds no *.log entry' });
          for (const [index, log] of zip.logs.entries()) {
            const job: LaneJob | null = log.spec.type === 'zip-entry' ? { type: 'zip-entry', name: log.spec.name, path: log.spec.path, entry: log.spec.entry, index } : null;
            await readOne(log.spec, () => log.chunks(), job ? viaWorker(job, log.size) : undefined);
          }
        } finally {
          zip.close();
        }
        continue;
      }
      if (item.type === 'file' || item.type === 'gzip') {
        const worker = laneEligible ? viaWorker({ type: item.type, name: item.name, path: item.path }, await sizeOf(item.path, item.type)) : undefined;
        await readOne(item, () => (item.type === 'file' ? fileChunks(item.path) : gzipChunks(item.path)), worker);
      } else if (item.type === 'stdin') await readOne(item, () => stdinChunks());
    }
  } finally {
    await (workerLane as WorkerLane | null)?.close();
  }
  return result;
}

/** A file's size for choosing the worker lane: a .gz counts as its likely text (8×), an unreadable one as 0. */
async function sizeOf(p: string, type: 'file' | 'gzip'): Promise<number> {
  try {
    return (await fsp.stat(p)).size * (type === 'gzip' ? 8 : 1);
  } catch {
    return 0;
  }
}

/** Reads a source through the analysis lane's worker thread; null when the worker cannot (read it in this thread). */
type WorkerRead = (asm: EventAssembler, onProblem: ProblemSink, onBytes: (bytes: number) => void) => Promise<WorkerLaneResult | null>;

async function readSource(
  spec: SourceSpec,
  chunks: () => AsyncIterable<Buffer>,
  opts: IngestOptions,
  summary: SourceSummary,
  onEvent: EventSink,
  onProblem: ProblemSink,
  afterChunk?: ChunkHook,
  viaWorker?: WorkerRead,
): Promise<void> {
  const utf8 = opts.encoding === 'utf8';
  let badUtf8Reported = false;
  const strict = utf8 ? new TextDecoder('utf-8', { fatal: true }) : null;
  const assembler = new EventAssembler(
    spec.name,
    opts.analysisLane ? { ...opts, reuseKnown: true } : opts,
    (e) => {
      summary.events++;
      if (e.kind === 'unknown') summary.unknown++;
      onEvent(e);
    },
    onProblem,
  );
  if (opts.onCounted) {
    const count = opts.onCounted;
    const name = spec.name;
    assembler.onRun = (kind, time, n) => {
      summary.events += n;
      count(name, kind, time, n);
    };
  }
  // Kinds only, or the analysis lane: decide prefix and kind from the bytes where that is exact (see fastLane.ts).
  const byBytes = !utf8 && !opts.tz && process.env.CQLOG_NO_FAST_LANE !== '1';
  const lane = byBytes && opts.kindsOnly !== true ? (opts.analysisLane ?? null) : null;
  if (lane?.absorb) {
    const absorb = lane.absorb.bind(lane);
    const name = spec.name;
    assembler.onAbsorb = (kind, time, fields) => {
      if (!absorb(kind, time, name, fields)) return false;
      summary.events++;
      return true;
    };
  }
  if (lane !== null && viaWorker !== undefined) {
    const r = await viaWorker(assembler, onProblem, (bytes) => (summary.bytes = bytes));
    if (r !== null) {
      summary.readable = r.readable;
      if (!r.finished) return;
      assembler.end();
      summary.lines = r.lines;
      summary.bytes = r.bytes;
      return;
    }
  }
  const fast = byBytes && (opts.kindsOnly === true || lane !== null) ? new FastPrefix() : null;
  const laneFields = lane !== null ? new LaneFieldReader(lane) : null;
  let fastOk = fast !== null;
  const gate = new ChunkGate();
  const splitter = new LineSplitter(
    spec.name,
    (buf, start, end, offset, lineNo) => {
      if (fastOk) {
        const m = fast!.messageStart(buf, start, end);
        // A prefix with nothing after it (dgate's empty lines, one per association) is a blank.
        const kind = m === end ? 'blank' : fastKind(buf, m, end);
        if (kind !== null) {
          assembler.known(fast!.time, kind, offset, lineNo, end - m);
          if (lane !== null) laneDetail(assembler, lane, kind, laneFields!.fields(laneFields!.read(kind, buf, m, end)), buf, m, end, spec.name);
          return;
        }
      }
      const s = decodeLine(buf, start, end, utf8);
      if (strict && !badUtf8Reported && s.includes('\uFFFD')) {
        // U+FFFD comes from invalid bytes, or is itself in the text (EF BF BD): only the strict decoder can tell.
        try {
          strict.decode(buf.subarray(start, end));
        } catch {
          badUtf8Reported = true;
          const at = offset + Buffer.byteLength(s.slice(0, s.indexOf('\uFFFD')), 'utf8');
          onProblem({
            source: spec.name,
            line: lineNo,
            offset: at,
            message: 'invalid UTF-8; bad bytes shown as U+FFFD, further ones in this source not reported (the default latin1 reading keeps every byte)',
          });
        }
      }
      assembler.line(s, offset, lineNo);
    },
    onProblem,
  );
  const outcome = await splitSource(spec.name, chunks(), splitter, onProblem, {
    beforeChunk: (chunk) => {
      summary.readable = true;
      if (fast) fastOk = gate.accept(chunk);
    },
    afterChunk: () => {
      summary.bytes = splitter.bytes;
      return afterChunk?.();
    },
  });
  if (outcome.binary) return;
  summary.readable = outcome.readable;
  splitter.end();
  assembler.end();
  summary.lines = splitter.lines;
  summary.bytes = splitter.bytes;
  if (afterChunk) await afterChunk();
}
