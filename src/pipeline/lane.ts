/**
 * The analysis lane's contract (what its consumer declares it reads and cites) and its per-line
 * step, shared by the one-thread path (readEvents), the worker path (parallelLane) and the index.
 */
import type { Fields } from '../parse/event.js';
import type { EventAssembler } from '../parse/assemble.js';
import { OBJECT_PATH_KINDS, ObjectPathReader, type ObjectPathKeys } from '../parse/catalog/objectPath.js';
import { readThreadNumber } from '../parse/catalog/threadLine.js';

/**
 * The analysis lane: prefix and kind are read from the bytes as in the kinds-only fast lane, but
 * every event still arrives whole — except what its consumer declares it will not read. When only
 * their keys are wanted, `Written file` paths are read from the bytes (ObjectPathReader), and the
 * thread lines' numbers when only those are (`threadOnly`); kinds in `fieldless` come with empty
 * fields. The text of those lines is decoded only when `needsText` says the consumer will cite it.
 * `needsText` is asked once every event before this one has been delivered, so it can answer
 * from the consumer's current state. Every other event is decoded and classified as usual.
 */
export interface AnalysisLane {
  fieldless: ReadonlySet<string>;
  /** True when the consumer reads only patientFolder, seriesUid and fileTime of object-path lines (`Written/Rewritten/Sending file`). */
  writtenKeysOnly: boolean;
  /**
   * Kinds of `UPACS THREAD n:` lines (THREAD_LINE_KINDS) of which the consumer reads only `thread`:
   * it is read from the bytes, and their other fields are left out.
   */
  threadOnly?: ReadonlySet<string>;
  needsText(kind: string, fields: Fields, source: string): boolean;
  /**
   * Offered, when it is due, each event whose fields the bytes gave: the consumer may take it as it
   * would take the event (true), and it is then counted but never built or delivered. Only for a
   * consumer that needs nothing else of such an event; the analysis lane of the engine does this
   * for the `Written file` lines that only add to its counts and the `Sending file` lines no
   * pending move waits for.
   */
  absorb?(kind: string, time: string | null, source: string, fields: Fields): boolean;
}

/**
 * The analysis lane's second step, once `known` has started the event (so every earlier event has
 * reached the consumer): its fields, when the bytes gave them, and its text where the consumer may
 * cite it. Held events are not delivered yet, so the consumer cannot judge: the text is then kept.
 */
export function laneDetail(asm: EventAssembler, lane: AnalysisLane, kind: string, fields: Fields | null, buf: Buffer, m: number, end: number, source: string): void {
  const cite = fields === null || asm.holding || lane.needsText(kind, fields, source);
  asm.knownDetail(cite ? buf.toString('latin1', m, end) : null, fields);
}


const WRITTEN_FILE = 'written-file';

/** What the lane read of a line besides its kind: nothing (the full classifier reads the text)… */
export const LANE_NO_FIELDS = 0;
/** …no fields at all (a `fieldless` kind)… */
export const LANE_EMPTY = 1;
/** …an object path's keys (LaneFieldReader.keys)… */
export const LANE_KEYS = 2;
/** …or a thread line's number (LaneFieldReader.thread). */
export const LANE_THREAD = 3;
export type LaneFieldsRead = typeof LANE_NO_FIELDS | typeof LANE_EMPTY | typeof LANE_KEYS | typeof LANE_THREAD;

/**
 * Reads from a line's bytes the fields a lane's consumer declared it reads (one thread and the
 * worker use the same reader, so they read the same): the answer says what was read, and the keys
 * or thread number wait in `keys` and `thread` until the next line.
 */
export class LaneFieldReader {
  private readonly fieldless: ReadonlySet<string>;
  private readonly threadOnly: ReadonlySet<string>;
  private readonly written: ObjectPathReader | null;
  /** True when a `Written file` line's keys are read (most lines of a router's log): decided once, not by two set lookups a line. */
  private readonly writtenKeys: boolean;
  keys: ObjectPathKeys | null = null;
  thread = 0;

  constructor(lane: { fieldless: Iterable<string>; writtenKeysOnly: boolean; threadOnly?: Iterable<string> | undefined }) {
    this.fieldless = new Set(lane.fieldless);
    this.threadOnly = new Set(lane.threadOnly ?? []);
    this.written = lane.writtenKeysOnly ? new ObjectPathReader() : null;
    this.writtenKeys = this.written !== null && !this.fieldless.has(WRITTEN_FILE);
  }

  /** What can be read of a line of this kind, its message in bytes [m, end). */
  read(kind: string, buf: Buffer, m: number, end: number): LaneFieldsRead {
    // Kinds are the catalog's own strings, so this compare is one of pointers.
    if (kind === WRITTEN_FILE && this.writtenKeys) return this.readKeys(this.written!, buf, m, end);
    if (this.fieldless.has(kind)) return LANE_EMPTY;
    if (this.written !== null && OBJECT_PATH_KINDS.has(kind)) return this.readKeys(this.written, buf, m, end);
    if (this.threadOnly.has(kind)) {
      const thread = readThreadNumber(buf, m, end);
      if (thread === null) return LANE_NO_FIELDS;
      this.thread = thread;
      return LANE_THREAD;
    }
    return LANE_NO_FIELDS;
  }

  private readKeys(written: ObjectPathReader, buf: Buffer, m: number, end: number): LaneFieldsRead {
    this.keys = written.read(buf, m, end);
    return this.keys !== null ? LANE_KEYS : LANE_NO_FIELDS;
  }

  /** The fields an answer of `read` stands for, as an event's fields (null: none from the bytes). */
  fields(read: LaneFieldsRead): Fields | null {
    switch (read) {
      case LANE_EMPTY:
        return {};
      case LANE_KEYS:
        return this.keys as unknown as Fields;
      case LANE_THREAD:
        return { thread: this.thread };
      default:
        return null;
    }
  }
}
