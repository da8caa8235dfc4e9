/**
 * One row per event, with structured columns (issue 5, item 2), without one SQLite row per event.
 *
 * Inserting a row per event cost most of the ingest budget (4.9 MB/s, 1.9x the raw size), so each
 * block keeps its events as one compact JSON document in `block_events`: the block's distinct
 * strings once (`v`), its associations once (`f`), and a tuple per event (`e`). The `events` view
 * (EVENTS_VIEW) unpacks them with SQLite's own json_each, so `sqlite3 index.sqlite "SELECT … FROM
 * events WHERE …"` sees one row per event — any SQLite 3.38 or newer, no cqlog needed.
 */
import type { Fields } from '../parse/event.js';
import { str, type Frame } from './assocStack.js';

/**
 * The events of one block, collected as they are assembled. Stored column by column (one JSON
 * array per column, `l[i]`, `t[i]`, … describing event i): a native JSON.stringify per column is
 * much cheaper than building a tuple string per event. Lines are counted from the block's first
 * line, times from `t0` (null: no time; a string: a time that is not a calendar date, kept as written); strings and associations are 1-based indexes into `v` and
 * `f`, 0 when absent (two bytes where `null,` takes five: most events have no study UID).
 */
export class BlockEvents {
  private readonly values: string[] = [];
  private readonly valueIds = new Map<string, number>();
  /** Associations by id: the newest version seen in the block (an AE is often named after its first lines). */
  private readonly frames = new Map<number, Frame>();
  private readonly frameIds = new Map<number, number>();
  private readonly l: number[] = [];
  private readonly t: (number | string | null)[] = [];
  private readonly k: number[] = [];
  private readonly f: number[] = [];
  private readonly p: number[] = [];
  private readonly s: number[] = [];
  private readonly r: number[] = [];
  private t0: number | null = null;
  /** The association of the previous event (most events repeat it). */
  private lastFrame: Frame | null = null;
  private lastFi = 0;

  constructor(private readonly firstLine: number) {}

  /** Per column (kind, patient, study, series), the last string and its index: consecutive events mostly repeat them. */
  private readonly lastStr: (string | null)[] = [null, null, null, null];
  private readonly lastIdx: number[] = [0, 0, 0, 0];

  /** 1-based index of a string in `v`; 0 for none. `col` picks the one-entry cache. */
  private value(s: string | null, col: number): number {
    if (s === null) return 0;
    if (s === this.lastStr[col]) return this.lastIdx[col]!;
    let id = this.valueIds.get(s);
    if (id === undefined) {
      this.values.push(s);
      id = this.values.length;
      this.valueIds.set(s, id);
    }
    this.lastStr[col] = s;
    this.lastIdx[col] = id;
    return id;
  }

  /**
   * One event: its first line, time (local seconds) or null, the time as written when the seconds
   * would not give it back (an impossible date), kind, association and fields.
   */
  add(line: number, time: number | null, asWritten: string | null, kind: string, frame: Frame | null, fields: Fields | null): void {
    let fi = 0;
    if (frame !== null && frame === this.lastFrame) fi = this.lastFi;
    else if (frame !== null) {
      this.lastFrame = frame;
      this.frames.set(frame.id, frame);
      let id = this.frameIds.get(frame.id);
      if (id === undefined) {
        id = this.frameIds.size + 1;
        this.frameIds.set(frame.id, id);
      }
      fi = id;
      this.lastFi = id;
    }
    this.l.push(line - this.firstLine);
    if (asWritten !== null) this.t.push(asWritten);
    else {
      if (time !== null && this.t0 === null) this.t0 = time;
      this.t.push(time === null ? null : time - this.t0!);
    }
    this.k.push(this.value(kind, 0));
    this.f.push(fi);
    if (fields !== null) {
      this.p.push(this.value(str(fields.patientId) ?? str(fields.patientFolder), 1));
      this.s.push(this.value(str(fields.studyUid), 2));
      this.r.push(this.value(str(fields.seriesUid), 3));
    } else {
      this.p.push(0);
      this.s.push(0);
      this.r.push(0);
    }
  }

  get size(): number {
    return this.l.length;
  }

  /** The block's `block_events` document. */
  toJSON(): string {
    const frames: (string | number | null)[][] = [];
    for (const [id] of this.frameIds) {
      const fr = this.frames.get(id)!;
      frames.push([fr.t, fr.ca, fr.cd, fr.d]);
    }
    const j = JSON.stringify;
    // A column of zeros only (no study UID in the block, say) is stored as 0: json_extract of an
    // element of a number gives null, which the view reads as "none" too.
    const z = (a: number[]): string => (a.every((x) => x === 0) ? '0' : j(a));
    return `{"t0":${this.t0 === null ? 0 : this.t0},"v":${j(this.values)},"f":${j(frames)},"l":${j(this.l)},"t":${j(this.t)},"k":${j(this.k)},"c":${z(this.f)},"p":${z(this.p)},"s":${z(this.s)},"r":${z(this.r)}}`;
  }
}

/** Column `x` of the event at json_each row `e` of '$.l'. */
const col = (x: string): string => `json_extract(be.j, '$.${x}[' || e.key || ']')`;
/** A string (`v`) or association (`f`) the column points at (1-based; 0 gives null). */
const ref = (table: string, x: string, sub = ''): string => `json_extract(be.j, '$.${table}[' || (nullif(${col(x)}, 0) - 1) || ']${sub}')`;

/** The `events` view: one row per event. Columns are documented in the README (Historical index). */
export const EVENTS_VIEW = `
CREATE VIEW IF NOT EXISTS events AS
SELECT
  b.id AS block,
  s.name AS source,
  b.line + e.value AS line,
  CASE json_type(be.j, '$.t[' || e.key || ']') WHEN 'text' THEN ${col('t')}
    ELSE strftime('%Y-%m-%dT%H:%M:%S', json_extract(be.j, '$.t0') + ${col('t')}, 'unixepoch') END AS time,
  ${ref('v', 'k')} AS kind,
  ${ref('f', 'c', '[0]')} AS thread,
  ${ref('f', 'c', '[1]')} AS calling_ae,
  ${ref('f', 'c', '[2]')} AS called_ae,
  ${ref('f', 'c', '[3]')} AS move_destination,
  ${ref('v', 'p')} AS patient,
  ${ref('v', 's')} AS study_uid,
  ${ref('v', 'r')} AS series_uid
FROM block_events be
JOIN blocks b ON b.id = be.id
JOIN sources s ON s.id = b.src,
json_each(be.j, '$.l') e;
`;
