/**
 * The forensic engine: events stream in, bounded state is updated, findings come out.
 * `analyze` feeds it every event and asks for the result at the end; `tail` feeds it live and
 * alerts on the findings `push` returns, checkpointing `snapshot()` between runs.
 */
import { createHash } from 'node:crypto';
import type { Fields, InputProblem, LogEvent } from '../parse/event.js';
import { readEvents, type AnalysisLane, type IngestOptions } from '../pipeline/readEvents.js';
import { remediationFor, warningRemediationFor } from '../explain/remediation.js';
import type { ConquestConfig } from '../source/types.js';
import type { AnalysisNotes, AnalysisResult, Collision, Evidence, InputSummary, ServerFacts, SitePatientIdShape, Warning } from '../explain/types.js';
import { looksLikeBsn } from '../common/bsn.js';
import { explainCollision } from '../explain/explainCollision.js';
import type { ExplainContext } from '../explain/context.js';
import { AssociationTracker, type MoveRecord } from './associations.js';
import { BoundedMap } from './bounded.js';
import { DEFAULT_CONFIG, type CorrelateConfig } from './config.js';
import { compareInFile, isTroubleCopy, lineKey, ref, serverOf, wallSeconds } from './evidence.js';
import { THREAD_LINE_KINDS } from '../parse/catalog/threadLine.js';
import { MAX_OTHER_INSTALLS, type CollisionState, type FolderWritten, type SeriesWritten, type VirtualFolder } from './state.js';
import { learnShape, type ShapeState, describeShape } from './siteShape.js';
import { patientFolderOf } from '../common/patientFolder.js';
import { keyTag } from '../common/keyTag.js';
import { compareOptionalTimes, compareTimes } from '../parse/timezone.js';

/**
 * Kinds whose fields neither the engine nor the tracker reads (they only place an event in its
 * association): the analysis lane hands them over without classifying their text.
 */
export const FIELDLESS_KINDS: ReadonlySet<string> = new Set(['sending-file', 'accepted-compression', 'application-context', 'query-level', 'find-done', 'blank']);

export type Finding = { type: 'collision'; collision: Collision } | { type: 'phantom-risk'; warning: Warning };

/** Lines only SystemDebug prints: their presence means a debug log was read. */
const DEBUG_KINDS = new Set(['virtual-row-added', 'server-command', 'message-id', 'associate-dump', 'retrieve-step', 'qualify-mapped', 'freestore', 'virtual-response', 'sql-trace', 'move-destination-unknown']);
const VIRTUAL_DEVICE = /^MAG\d+\.\d+$/i;
/** Recent folder/series pairs kept by onWritten. */
const RECENT_WRITTEN = 8;

/**
 * A short list with one more item, exactly as long as it is: push() would give it room for 17,
 * and the virtual folders (50,000) and series (50,000) each keep such lists.
 */
function appended<T>(list: T[], item: T): T[] {
  return list.length === 0 ? [item] : [...list, item];
}

/** What `push` returns for an event that reveals nothing (shared and frozen: callers only read it). */
const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

/** A folder/series pair of a recent `Written file` line, its keys' tags, and its records in the maps. */
interface RecentPair {
  folder: string;
  series: string;
  /** serverOf the line that made the pair: another install's line of the same pair is not a repeat. */
  server: string;
  folderTag: number;
  seriesTag: number;
  w: FolderWritten;
  s: SeriesWritten;
}

/** A live server log (the file itself, not an archive entry: checked apart). */
const LIVE_LOG = /(?:^|[\\/])serverstatus\.log$/i;
/** Installs told apart (liveServers); a run reads a handful. */
const MAX_LIVE_SERVERS = 256;
/** Sources whose readings are counted (ForensicEngine.readings). */
const MAX_READINGS = 4096;

/**
 * Where a saved state last was in each source: the line of its latest-timed entry (every object with
 * a string `source` and a number `line`), the highest line among equal times. Not simply the highest
 * line: a state kept across a rotation by a version that counted no readings holds yesterday's higher
 * line numbers too.
 */
function lastLinesIn(state: unknown): Map<string, number> {
  const best = new Map<string, { time: string; line: number }>();
  const stack: unknown[] = [state];
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) for (const v of x) stack.push(v);
    else if (x !== null && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (typeof o.source === 'string' && typeof o.line === 'number') {
        const time = typeof o.time === 'string' ? o.time : '';
        const b = best.get(o.source);
        if (b === undefined || time > b.time || (time === b.time && o.line > b.line)) best.set(o.source, { time, line: o.line });
      }
      for (const v of Object.values(o)) if (v !== null && typeof v === 'object') stack.push(v);
    }
  }
  return new Map([...best].map(([k, v]) => [k, v.line]));
}

/** Which of a folder's recorded first lines (first, then others) is this install's; -1 when none. */
function writerIndex(w: FolderWritten, server: string): number {
  if (serverOf(w.first.source) === server) return 0;
  const i = w.others?.findIndex((x) => serverOf(x.source) === server) ?? -1;
  return i === -1 ? -1 : i + 1;
}

function hashId(prefix: string, ...parts: (string | number | null)[]): string {
  return prefix + createHash('sha256').update(parts.map((p) => String(p ?? '')).join('\u0000')).digest('hex').slice(0, 16);
}

interface RecentRefusal {
  collision: string;
  source: string;
  line: number;
  gen?: number;
}

export interface EngineNotes extends AnalysisNotes {
  evictedAssociations: number;
  expiredAssociations: number;
  ambiguousLines: number;
  evicted: Record<string, number>;
}

export class ForensicEngine {
  private readonly cfg: CorrelateConfig;
  private tracker: AssociationTracker;
  private collisions = new Map<string, CollisionState>();
  private droppedCollisions = 0;
  private failedMoves: MoveRecord[] = [];
  private droppedMoves = 0;
  private writtenFolders: BoundedMap<string, FolderWritten>;
  private writtenSeries: BoundedMap<string, SeriesWritten>;
  private virtualFolders: BoundedMap<string, VirtualFolder>;
  private inconsistentByStudy: BoundedMap<string, Evidence[]>;
  private shape: ShapeState = { folders: [], seen: {} };
  private offsetVotes: Record<string, number> = {};
  /** `Written file` lines seen for the clock offset; one in 64 is sampled (the offset changes rarely). */
  private offsetSamples = 0;
  private virtualSeen = false;
  private debugSeen = false;
  private configs: ConquestConfig[] = [];
  private lastRefusal = new Map<string, RecentRefusal>();
  /** The folder of the last `*** missing file` per server: the `Deleting database entry` lines that follow belong to it. */
  private lastCleanup = new Map<string, string>();
  private firstTime: string | null = null;
  /** The time seeTime was last given (not kept in snapshots: it only skips a repeat). */
  private lastSeenTime: string | null = null;
  private emittedRisks = new Set<string>();
  /**
   * The folder/series pairs of the last few `Written file` lines with their records: concurrent
   * pushes interleave a handful of series, and two lookups in maps of 50,000 entries per line cost
   * more than the rest of the line. Emptied whenever either map evicts. Each keeps its keys' tags
   * (keyTag), compared before the strings.
   */
  private recentWritten: RecentPair[] = [];
  /** Counts the changes of `recentWritten`, so a pair found in it can be known to be still there. */
  private recentVersion = 0;
  /**
   * The recent pair needsText found for the `Written file` line it was asked about, with that line's
   * fields and the list's version then: absorbWritten, asked next about the same line, takes it
   * instead of looking again.
   */
  private dueFields: Fields | null = null;
  private dueHit: RecentPair | undefined = undefined;
  private dueVersion = -1;
  private recentEvicted = 0;

  constructor(cfg: CorrelateConfig = DEFAULT_CONFIG) {
    this.cfg = cfg;
    this.tracker = new AssociationTracker(cfg);
    this.writtenFolders = new BoundedMap(cfg.maxWrittenFolders);
    this.writtenSeries = new BoundedMap(cfg.maxWrittenSeries);
    this.virtualFolders = new BoundedMap(cfg.maxVirtualFolders);
    this.inconsistentByStudy = new BoundedMap(cfg.maxInconsistentStudies);
  }

  addConfig(c: ConquestConfig): void {
    // The same dicom.ini seen again (a later run of index or tail) replaces the earlier reading.
    this.configs = this.configs.filter((x) => x.source !== c.source);
    this.configs.push(c);
  }

  /** True when dicom.ini names a virtual server or virtual-server lines were seen. */
  get isVirtualServer(): boolean {
    return this.virtualSeen || this.configs.some((c) => c.virtualServers.length > 0);
  }

  /** Keeps the earliest time read (a clock that jumps back may make a later line the earliest). */
  private seeTime(time: string | null): void {
    // The lines of one second share one time string: a repeat cannot be earlier than firstTime.
    if (time === this.lastSeenTime) return;
    this.lastSeenTime = time;
    if (time !== null && (this.firstTime === null || compareTimes(time, this.firstTime) < 0)) this.firstTime = time;
  }

  /** Feeds one event; returns what it newly reveals (a collision's first refusal, a phantom risk). */
  push(e: LogEvent): readonly Finding[] {
    this.seeTime(e.time);
    this.noteSource(e.source);
    this.noteReading(e.source, e.line);
    this.tracker.reading = this.reading;
    if (!this.debugSeen && DEBUG_KINDS.has(e.kind)) this.debugSeen = true;
    if (!this.virtualSeen && e.kind.startsWith('virtual-') && e.kind !== 'virtual-file' && e.kind !== 'virtual-storage-problem') this.virtualSeen = true;
    const at = this.tracker.push(e);
    const f = e.fields;
    let findings: Finding[] | null = null; // most events find nothing: no array for them
    switch (e.kind) {
      case 'written-file':
      case 'rewritten-file':
        this.onWritten(e);
        break;
      case 'virtual-row-added': {
        const folder = typeof f.patientFolder === 'string' ? f.patientFolder : null;
        if (folder) {
          const v = this.virtual(folder);
          v.added++;
          if (v.addedEvidence.length < 3) v.addedEvidence = appended(v.addedEvidence, ref(e, 'database row made for a virtual image', this.reading));
          if (typeof f.fileTime === 'number' && v.fileTimes.length < 16) v.fileTimes = appended(v.fileTimes, f.fileTime);
        }
        break;
      }
      case 'virtual-grabbed': {
        const pid = typeof f.patientId === 'string' ? f.patientId.trim() : '';
        if (pid) {
          const v = this.virtual(pid);
          if (v.grabbed.length < 3) v.grabbed = appended(v.grabbed, ref(e, 'files of Old collected from the virtual server', this.reading));
        }
        break;
      }
      case 'missing-file': {
        const folder = typeof f.patientFolder === 'string' ? f.patientFolder : null;
        const device = typeof f.device === 'string' ? f.device : '';
        if (folder && VIRTUAL_DEVICE.test(device)) {
          const v = this.virtual(folder);
          v.missing++;
          const r = ref(e, 'phantom row without a file, cleaned up', this.reading);
          if (!v.firstMissing) v.firstMissing = r;
          v.lastMissing = r;
          if (typeof f.fileTime === 'number' && v.fileTimes.length < 16) v.fileTimes = appended(v.fileTimes, f.fileTime);
          this.lastCleanup.set(serverOf(e.source), folder);
        }
        break;
      }
      case 'deleting-image-entry': {
        const folder = this.lastCleanup.get(serverOf(e.source));
        if (folder) {
          const v = this.virtual(folder);
          v.deletions++;
          v.lastDeletion = ref(e, 'phantom row deleted', this.reading);
        }
        break;
      }
      case 'refused-link': {
        const found = this.onRefused(e, at.assoc?.callingAe ?? null);
        if (found) {
          // An alert carries its steps (analyze adds them at the end, with the site's shape then).
          const c = this.buildCollision(found);
          (findings ??= []).push({ type: 'collision', collision: { ...c, remediation: remediationFor(c, this.site()) } });
        }
        break;
      }
      case 'sql-save-error':
      case 'virtual-db-problem': {
        const recent = this.lastRefusal.get(e.source);
        // Within 3 lines after it (a lower number is a new reading of the file, not a follower).
        if (recent && (recent.gen ?? 0) === this.reading && e.line > recent.line && e.line - recent.line <= 3) {
          const c = this.collisions.get(recent.collision);
          if (c) {
            const uid = typeof f.seriesUid === 'string' ? f.seriesUid : null;
            if (uid && !c.seriesUids.includes(uid) && c.seriesUids.length < 1000) c.seriesUids.push(uid);
            if (e.kind === 'sql-save-error') {
              if (c.saveErrors.length < 3) c.saveErrors.push(ref(e, 'object not stored', this.reading));
            } else {
              if (!isTroubleCopy(e.source)) {
                c.inVirtualQuery++;
                if (c.virtualQueryEvidence.length < 2) c.virtualQueryEvidence.push(ref(e, 'refused inside a virtual query', this.reading));
              }
            }
          }
          this.lastRefusal.delete(e.source);
        }
        break;
      }
      case 'inconsistent': {
        const pairs = Array.isArray(f.wherePairs) ? f.wherePairs : [];
        const first = pairs[0] as { value?: string } | undefined;
        if (first && typeof first.value === 'string') {
          const list = this.inconsistentByStudy.upsert(first.value, () => []);
          if (list.length < this.cfg.maxInconsistentPerStudy) list.push(ref(e, 'differing fields', this.reading));
        }
        break;
      }
    }
    if (at.finished && e.kind === 'host-refused') {
      const m = at.finished;
      if (this.reading > 0) m.gen = this.reading;
      if ((m.imagesToSend ?? 0) > 0) {
        this.failedMoves.push(m);
        if (this.failedMoves.length > this.cfg.maxFailedMoves) {
          this.failedMoves.shift();
          this.droppedMoves++;
        }
        if (this.isVirtualServer) {
          const w = this.buildWarning(m);
          if (!this.emittedRisks.has(w.id)) {
            this.emittedRisks.add(w.id);
            (findings ??= []).push({ type: 'phantom-risk', warning: w });
          }
        }
      }
    }
    return findings ?? NO_FINDINGS;
  }

  /**
   * Whether the next event, of this kind and with these fields, may be cited as evidence (the
   * analysis lane then decodes its text). Asked only for the lines whose fields the bytes gave
   * (`Written file`, FIELDLESS_KINDS, the thread lines), after every earlier event was pushed; any
   * doubt answers yes.
   */
  needsText(kind: string, fields: Fields, source: string): boolean {
    switch (kind) {
      case 'written-file':
      case 'rewritten-file': {
        // The first file of a folder is cited; with collisions open, any may end one.
        const folder = fields.patientFolder;
        if (typeof folder !== 'string' || this.collisions.size > 0) return true;
        // A folder among the recent pairs is in the map, unless a map evicted since: no lookup needed.
        if (this.writtenEvictions() === this.recentEvicted) {
          // The line's pair is usually among them: absorbWritten will take the same one.
          const series = fields.seriesUid;
          const tag = keyTag(folder);
          const server = serverOf(source);
          const hit = typeof series === 'string' ? this.recentPair(folder, series, tag, server) : undefined;
          if (hit !== undefined) {
            this.dueFields = fields;
            this.dueHit = hit;
            this.dueVersion = this.recentVersion;
            return false;
          }
          for (const x of this.recentWritten) if (x.folderTag === tag && x.folder === folder && x.server === server) return false;
        }
        // Cited when it is the folder's first line of this install.
        const w = this.writtenFolders.get(folder);
        return w === undefined || writerIndex(w, serverOf(source)) === -1;
      }
      case 'sending-file':
        return this.tracker.hasPendingMove(serverOf(source));
      default:
        // The other fieldless kinds are never cited; anything else may be.
        return !FIELDLESS_KINDS.has(kind);
    }
  }

  /** Entries either written-file map has evicted so far: while it stands, `recentWritten` points into the maps. */
  private writtenEvictions(): number {
    return this.writtenFolders.evicted + this.writtenSeries.evicted;
  }

  private virtual(folder: string): VirtualFolder {
    return this.virtualFolders.upsert(folder, () => ({
      added: 0,
      addedEvidence: [],
      grabbed: [],
      missing: 0,
      firstMissing: null,
      lastMissing: null,
      deletions: 0,
      lastDeletion: null,
      fileTimes: [],
    }));
  }

  private onWritten(e: LogEvent): void {
    const f = e.fields;
    const folder = typeof f.patientFolder === 'string' ? f.patientFolder : null;
    const series = typeof f.seriesUid === 'string' ? f.seriesUid : null;
    let r: Evidence | null = null;
    const evicted = this.writtenEvictions();
    if (evicted !== this.recentEvicted) {
      // An entry may have left the maps: the recent pairs could point at records no longer in them.
      this.recentWritten.length = 0;
      this.recentVersion++;
      this.recentEvicted = evicted;
    }
    const server = serverOf(e.source);
    const hit = folder && series ? this.recentPair(folder, series, keyTag(folder), server) : undefined;
    if (hit) {
      // The same folder and series as a recent line: the map lookups would find these very records.
      hit.w.count++;
      hit.s.count++;
    } else {
      let w: FolderWritten | null = null;
      let s: SeriesWritten | null = null;
      if (folder) {
        w = this.writtenFolders.upsert(folder, () => ({ count: 0, first: (r ??= ref(e, undefined, this.reading)) }));
        w.count++;
        if (w.count > 1 && writerIndex(w, server) === -1 && (w.others?.length ?? 0) < MAX_OTHER_INSTALLS) w.others = [...(w.others ?? []), (r ??= ref(e, undefined, this.reading))];
        if (w.count === 1) learnShape(this.shape, folder, this.cfg.maxShapeSamples);
      }
      if (series) {
        // A literal of one holds exactly one slot; an empty array grown by push() would hold 17 (50,000 series).
        s = this.writtenSeries.upsert(series, () => ({ folders: folder ? [folder] : [], count: 0 }));
        s.count++;
        if (folder && s.folders[s.folders.length - 1] !== folder && !s.folders.includes(folder) && s.folders.length < 8) s.folders = appended(s.folders, folder);
      }
      const nowEvicted = this.writtenEvictions();
      if (folder && series && w && s && nowEvicted === this.recentEvicted && (s.folders.includes(folder) || s.folders.length >= 8)) {
        if (this.recentWritten.length >= RECENT_WRITTEN) this.recentWritten.shift();
        this.recentVersion++;
        this.recentWritten.push({ folder, series, server, folderTag: keyTag(folder), seriesTag: keyTag(series), w, s });
      }
    }
    if (e.kind === 'written-file') this.sampleOffset(e.time, f.fileTime);
    // The refused value later stored for that study's series ends the collision.
    if (folder && series && this.collisions.size > 0) {
      for (const c of this.collisions.values()) {
        // The first such store ends it (a later refusal clears it, and the next store counts again).
        if (c.storedAfter === null && (c.refused === folder || this.folderOf(c.refused) === folder) && c.seriesUids.includes(series) && c.firstSeen !== null && e.time !== null && compareTimes(e.time, c.firstSeen) >= 0) c.storedAfter = ref(e, 'stored under the refused value', this.reading);
      }
    }
  }

  /** patientFolderOf, kept for the few IDs asked about on every `Written file` line while a collision is open. */
  private readonly idFolders = new Map<string, string>();
  private folderOf(id: string): string {
    let f = this.idFolders.get(id);
    if (f === undefined) {
      if (this.idFolders.size >= 1024) this.idFolders.clear();
      f = patientFolderOf(id);
      this.idFolders.set(id, f);
    }
    return f;
  }

  /** The recent pair of this folder (its keyTag given: a caller may need it too) and series (both maps hold its records), if any. */
  private recentPair(folder: string, series: string, folderTag: number, server: string): RecentPair | undefined {
    const seriesTag = keyTag(series);
    for (const x of this.recentWritten) if (x.seriesTag === seriesTag && x.folderTag === folderTag && x.folder === folder && x.series === series && x.server === server) return x;
    return undefined;
  }

  /** A new name's time token is the write time (UTC): a sample of them tells the server's offset from UTC. */
  private sampleOffset(time: string | null, fileTime: unknown): void {
    if (typeof fileTime !== 'number' || time === null || (this.offsetSamples++ & 63) !== 0) return;
    const local = wallSeconds(time);
    if (local === null) return;
    const off = Math.round((local - fileTime) / 900) * 900;
    if (Math.abs(local - fileTime - off) <= 60) {
      const k = String(off);
      this.offsetVotes[k] = (this.offsetVotes[k] ?? 0) + 1;
    }
  }

  /**
   * The analysis lane's shortcut (`AnalysisLane.absorb`) for most of a router's log: one more
   * `Written file` line of a recent folder/series pair while no collision is open. `push` would
   * only attribute it to its association and count it, so that is done here and the line never
   * becomes an event. False, changing nothing, in any other case: the event is then pushed.
   */
  absorbWritten(kind: string, time: string | null, source: string, fields: Fields): boolean {
    if ((kind !== 'written-file' && kind !== 'rewritten-file') || this.collisions.size > 0) return false;
    const folder = fields.patientFolder;
    const series = fields.seriesUid;
    if (typeof folder !== 'string' || typeof series !== 'string' || this.writtenEvictions() !== this.recentEvicted) return false;
    const hit = fields === this.dueFields && this.dueVersion === this.recentVersion ? this.dueHit : this.recentPair(folder, series, keyTag(folder), serverOf(source));
    this.dueFields = null;
    if (hit === undefined) return false;
    this.noteSource(source);
    this.tracker.attributeStore(serverOf(source), folder, kind, time, false);
    this.seeTime(time);
    hit.w.count++;
    hit.s.count++;
    if (kind === 'written-file') this.sampleOffset(time, fields.fileTime);
    return true;
  }

  /**
   * The analysis lane's shortcut for a `Sending file` line no pending move waits for: push would
   * only attribute it to its move (AssociationTracker.sendingFile), so it never becomes an event.
   */
  absorbSending(time: string | null, source: string): boolean {
    if (!this.tracker.sendingFile(serverOf(source), time)) return false;
    this.noteSource(source);
    this.seeTime(time);
    return true;
  }

  private onRefused(e: LogEvent, callingAe: string | null): CollisionState | null {
    const f = e.fields;
    const table = String(f.table ?? '');
    const pairs = (Array.isArray(f.wherePairs) ? f.wherePairs : []) as { column: string; value: string }[];
    const key = pairs[0] ?? { column: '', value: '' };
    const old = String(f.old ?? '');
    const refused = String(f.refused ?? '');
    const id = hashId('col-', table, key.value, old, refused);
    let c = this.collisions.get(id);
    let isNew = false;
    if (!c) {
      if (this.collisions.size >= this.cfg.maxCollisions) {
        this.droppedCollisions++;
        return null;
      }
      isNew = true;
      const lc = table.toLowerCase();
      c = {
        id,
        table,
        column: String(f.linkColumn ?? ''),
        keyColumn: key.column,
        keyValue: key.value,
        studyUid: lc === 'dicomstudies' ? key.value : lc === 'dicomseries' ? refused : null,
        old,
        refused,
        firstSeen: e.time,
        lastSeen: e.time,
        primaryTimes: [],
        copyTimes: [],
        overflowPrimary: 0,
        overflowCopy: 0,
        firstRefusals: [],
        lastRefusal: null,
        saveErrors: [],
        seriesUids: [],
        inVirtualQuery: 0,
        virtualQueryEvidence: [],
        pushers: {},
        storedAfter: null,
      };
      this.collisions.set(id, c);
    }
    const t = wallSeconds(e.time) ?? 0;
    const copy = isTroubleCopy(e.source);
    const times = copy ? c.copyTimes : c.primaryTimes;
    if (times.length < this.cfg.maxRefusalTimes) times.push(t);
    else if (copy) c.overflowCopy++;
    else c.overflowPrimary++;
    if (e.time !== null) {
      if (c.firstSeen === null || compareTimes(e.time, c.firstSeen) < 0) c.firstSeen = e.time;
      if (c.lastSeen === null || compareTimes(e.time, c.lastSeen) > 0) c.lastSeen = e.time;
    }
    const r = ref(e, 'refusal', this.reading);
    // A PacsTrouble.log copy stands in only while serverstatus.log has given no refusal.
    if (!copy || c.firstRefusals.length === 0) {
      if (c.firstRefusals.length < 3) c.firstRefusals.push(r);
      c.lastRefusal = r;
    }
    if (!copy && callingAe) c.pushers[callingAe] = (c.pushers[callingAe] ?? 0) + 1;
    this.lastRefusal.set(e.source, { collision: id, source: e.source, line: e.line, ...(this.reading > 0 ? { gen: this.reading } : {}) });
    // A refusal after the refused value was stored means the collision is back.
    if (c.storedAfter && e.time !== null && c.storedAfter.time !== null && compareTimes(e.time, c.storedAfter.time) > 0) c.storedAfter = null;
    return isNew ? c : null;
  }

  /** Refused objects, each PacsTrouble.log copy within the window of a serverstatus.log line counted once. */
  refusalCount(c: CollisionState): number {
    const win = this.cfg.copyWindowSeconds;
    const a = [...c.primaryTimes].sort((x, y) => x - y);
    const b = [...c.copyTimes].sort((x, y) => x - y);
    let i = 0;
    let j = 0;
    let matched = 0;
    while (i < a.length && j < b.length) {
      const d = b[j]! - a[i]!;
      if (Math.abs(d) <= win) {
        matched++;
        i++;
        j++;
      } else if (d < 0) j++;
      else i++;
    }
    const primary = a.length + c.overflowPrimary;
    const copies = b.length + c.overflowCopy;
    // Beyond the kept times, assume copies mirror the primary lines when both logs were read.
    const overflowMatched = primary > 0 ? Math.min(c.overflowPrimary, c.overflowCopy) : 0;
    return primary + copies - matched - overflowMatched;
  }

  private clockOffset(): number | null {
    let best: string | null = null;
    for (const [k, n] of Object.entries(this.offsetVotes)) if (best === null || n > this.offsetVotes[best]!) best = k;
    return best === null ? null : Number(best);
  }

  site(): SitePatientIdShape {
    return describeShape(this.shape);
  }

  /**
   * Servers whose live serverstatus.log was read (noted from the events' sources and from
   * result()'s inputs). When several Conquest installs
   * are read together (a router and its upstream PACS), each has its own database: a line of another
   * such install cannot explain a refusal. A folder with archives only (zips copied elsewhere) is not
   * an install of its own, so its lines still count.
   */
  private liveServers = new Set<string>();
  /**
   * Per source, how many times it was read again from its start and the last line pushed from it: a
   * line number below the last one means a new reading (the live log after its daily zip, in `tail`
   * or `index`). At most MAX_READINGS sources (the oldest forgotten).
   */
  private readings = new Map<string, { gen: number; line: number }>();
  /** The reading of the event being pushed (0: the first), which its evidence carries (ref). */
  private reading = 0;
  private lastReadingSource = '';
  private lastReading: { gen: number; line: number } | undefined = undefined;

  private noteReading(source: string, line: number): void {
    let rec = source === this.lastReadingSource ? this.lastReading : this.readings.get(source);
    if (rec !== undefined && source !== this.lastReadingSource) {
      // Most recently used last: the live log, read on and off for years, is never the one forgotten.
      this.readings.delete(source);
      this.readings.set(source, rec);
    }
    if (rec === undefined) {
      if (this.readings.size >= MAX_READINGS) this.readings.delete(this.readings.keys().next().value as string);
      rec = { gen: 0, line };
      this.readings.set(source, rec);
    } else if (line < rec.line) rec.gen++;
    rec.line = line;
    this.lastReadingSource = source;
    this.lastReading = rec;
    this.reading = rec.gen;
  }

  /** The newest reading of a source (0 when it was read once). */
  private readonly latestReading = (source: string): number => this.readings.get(source)?.gen ?? 0;

  /** The source noteSource last saw (not kept in snapshots: it only skips a repeat). */
  private lastSourceNoted = '';

  /**
   * Notes the install of a live serverstatus.log (not a zip entry) among the sources read, so
   * `tail` and `index`, which give result() no input list, know them too. Bounded by MAX_LIVE_SERVERS.
   */
  private noteSource(source: string): void {
    if (source === this.lastSourceNoted) return;
    this.lastSourceNoted = source;
    if (this.liveServers.size < MAX_LIVE_SERVERS && !source.includes('!') && LIVE_LOG.test(source)) this.liveServers.add(serverOf(source));
  }

  /** True when `source` belongs to another install than `server`, read with its own live log. */
  private foreign(source: string, server: string | null): boolean {
    if (server === null || this.liveServers.size < 2) return false;
    const s = serverOf(source);
    return s !== server && this.liveServers.has(s);
  }

  private context(c: CollisionState): ExplainContext {
    const first = c.firstSeen;
    const refusal = c.firstRefusals[0];
    const server = refusal ? serverOf(refusal.source) : null;
    // Before the first refusal: in its file, an earlier line (whatever the clock says: a clock reset
    // keeps file order); in another file, not later in time.
    // A later reading of the same name (after a rotation) is later, whatever its line numbers.
    const before = (x: { time: string | null; source: string; line: number; gen?: number }): boolean =>
      refusal !== undefined && x.source === refusal.source ? compareInFile(x, refusal) < 0 : first === null || x.time === null || compareTimes(x.time, first) <= 0;
    return {
      collision: c,
      failedMovesBefore: this.failedMoves.filter((m) => before(m) && !this.foreign(m.source, server)),
      // A PatientID and the folder Conquest made of it differ when it was cleaned or cut (patientFolderOf).
      // Only a folder first written before the first refusal can explain it: a store after it is a consequence.
      // Each install's first line of the folder is a candidate: another install's earlier line must not hide this one's.
      written: (folder) => {
        const w = this.writtenFolders.get(folder) ?? this.writtenFolders.get(this.folderOf(folder));
        if (!w) return undefined;
        const first = [w.first, ...(w.others ?? [])].find((x) => before(x) && !this.foreign(x.source, server));
        return first === undefined ? undefined : first === w.first ? w : { ...w, first };
      },
      writtenSeries: (uid) => this.writtenSeries.get(uid),
      virtual: (folder) => this.virtualFolders.get(folder) ?? this.virtualFolders.get(this.folderOf(folder)),
      virtualServer: this.isVirtualServer,
      debugSeen: this.debugSeen,
      site: this.site(),
      clockOffsetSeconds: this.clockOffset(),
      inconsistent: (study) => this.inconsistentByStudy.get(study) ?? [],
      firstTimeRead: this.firstTime,
      writtenEvicted: this.writtenFolders.evicted,
    };
  }

  /** The dicom.ini read from the same install as `source` (its folder, or a zip of its logs). */
  private serverFacts(source: string | null): ServerFacts | null {
    if (source === null) return null;
    const server = serverOf(source);
    const cfg = this.configs.find((x) => serverOf(x.source) === server);
    return cfg ? { config: cfg.source, myAe: cfg.myAe, virtualServers: cfg.virtualServers.map((ae, i) => ({ slot: cfg.virtualServerSlots?.[i] ?? i, ae })) } : null;
  }

  /** Ids of the failed moves the collisions built last cite (filled by buildCollision, emptied by result()). */
  private readonly citedMoves = new Set<string>();

  private buildCollision(c: CollisionState): Collision {
    const ctx = this.context(c);
    const out = explainCollision(ctx);
    // The failed moves this explanation cites are no open warnings: matched by record, since after a
    // rotation two readings of one file can share a source:line.
    const citedLines = new Set(out.evidence.filter((x) => x.kind === 'host-refused').map(lineKey));
    if (citedLines.size > 0) {
      for (const m of ctx.failedMovesBefore) {
        const r = m.evidence.find((x) => x.kind === 'host-refused');
        if (r && citedLines.has(lineKey(r))) this.citedMoves.add(m.id);
      }
    }
    // How the collision ended, when the logs show it.
    let resolvedAt: string | null = null;
    let resolvedHow: string | null = null;
    const vf = this.virtualFolders.get(c.old) ?? this.virtualFolders.get(this.folderOf(c.old));
    const cleaned = vf?.lastDeletion ?? vf?.lastMissing ?? null;
    if (c.table.toLowerCase() === 'dicomstudies' && cleaned && cleaned.time !== null && c.firstSeen !== null && compareTimes(cleaned.time, c.firstSeen) >= 0) {
      resolvedAt = cleaned.time;
      resolvedHow = `the phantom rows of '${c.old}' were deleted by a later retrieve's clean-up (${cleaned.source}:${cleaned.line})`;
    }
    if (c.storedAfter && c.storedAfter.time !== null && (c.lastSeen === null || compareTimes(c.storedAfter.time, c.lastSeen) >= 0)) {
      if (resolvedAt === null || compareTimes(c.storedAfter.time, resolvedAt) < 0) {
        resolvedAt = c.storedAfter.time;
        resolvedHow = `objects of the study were later stored under '${c.refused}' (${c.storedAfter.source}:${c.storedAfter.line})`;
      }
    }
    if (resolvedAt !== null && c.lastSeen !== null && compareTimes(resolvedAt, c.lastSeen) < 0) {
      resolvedAt = null;
      resolvedHow = null;
    }
    const evidence = [...out.evidence];
    if (c.virtualQueryEvidence.length > 0) evidence.push(...c.virtualQueryEvidence);
    if (resolvedAt !== null) {
      const endRef = c.storedAfter && resolvedHow?.includes('stored') ? c.storedAfter : cleaned;
      if (endRef && !evidence.some((x) => lineKey(x) === lineKey(endRef))) evidence.push({ ...endRef, role: 'collision ended' });
    }
    if (c.lastRefusal && !evidence.some((x) => lineKey(x) === lineKey(c.lastRefusal!))) evidence.push({ ...c.lastRefusal, role: 'last refusal' });
    return {
      id: c.id,
      table: c.table,
      column: c.column,
      key: { column: c.keyColumn, value: c.keyValue },
      studyUid: c.studyUid,
      oldValue: c.old,
      refusedValue: c.refused,
      firstSeen: c.firstSeen,
      lastSeen: c.lastSeen,
      refusals: this.refusalCount(c),
      cause: out.cause,
      confidence: out.confidence,
      explanation: out.explanation,
      oldLooksLikeBsn: looksLikeBsn(c.old),
      refusedLooksLikeBsn: looksLikeBsn(c.refused),
      resolvedAt,
      resolvedHow,
      seriesUids: [...c.seriesUids],
      server: this.serverFacts(c.firstRefusals[0]?.source ?? null),
      evidence: sortEvidence(evidence, this.latestReading),
      remediation: [],
    };
  }

  private buildWarning(m: MoveRecord, site: SitePatientIdShape = this.site()): Warning {
    const refused = m.evidence.find((x) => x.kind === 'host-refused') ?? m.evidence[m.evidence.length - 1]!;
    const folders = Object.keys(m.virtualRows);
    const folder = folders[0] ?? null;
    const w: Warning = {
      id: hashId('risk-', m.time, m.destination, m.requestingAe, m.imagesToSend),
      kind: 'phantom-risk',
      time: refused.time,
      source: refused.source,
      line: refused.line,
      text: refused.text,
      requestingAe: m.requestingAe,
      destinationAe: m.destination,
      imageCount: m.imagesToSend ?? 0,
      patientFolder: folder,
      patientFolderLooksLikeBsn: folder === null ? null : looksLikeBsn(folder),
      evidence: m.evidence.map((x) => printedEvidence(x, this.latestReading)),
      remediation: [],
    };
    w.remediation = warningRemediationFor(w, site);
    return w;
  }

  /** Open warnings: failed retrieves not (yet) explaining a collision and whose rows were not cleaned up. */
  private warnings(): Warning[] {
    if (!this.isVirtualServer) return [];
    const out: Warning[] = [];
    const site = this.site();
    for (const m of this.failedMoves) {
      if (this.citedMoves.has(m.id)) continue;
      const w = this.buildWarning(m, site);
      const folders = Object.keys(m.virtualRows);
      const cleaned = folders.length > 0 && folders.every((fo) => {
        const v = this.virtualFolders.get(fo);
        const last = v?.lastMissing ?? null;
        if (last === null) return false;
        // After the move: later in the same file (whatever the clock says), else not earlier in time.
        if (last.source === m.source) return compareInFile(last, m) > 0;
        return m.time === null || (last.time !== null && compareTimes(last.time, m.time) >= 0);
      });
      if (cleaned) continue;
      out.push(w);
    }
    return out;
  }

  notes(): EngineNotes {
    return {
      ...this.tracker.notes,
      evicted: {
        collisions: this.droppedCollisions,
        failedMoves: this.droppedMoves,
        writtenFolders: this.writtenFolders.evicted,
        writtenSeries: this.writtenSeries.evicted,
        virtualFolders: this.virtualFolders.evicted,
        inconsistentStudies: this.inconsistentByStudy.evicted,
      },
    };
  }

  /** The analysis so far. */
  result(inputs: InputSummary[] = []): AnalysisResult {
    for (const i of inputs) this.noteSource(i.source);
    this.citedMoves.clear();
    // By first refusal as an instant (untimed first); equal times keep the order of discovery.
    const collisions = [...this.collisions.values()]
      .map((c) => this.buildCollision(c))
      .sort((a, b) => compareOptionalTimes(a.firstSeen, b.firstSeen));
    return { collisions, warnings: this.warnings(), inputs, site: this.site(), notes: this.notes() };
  }

  snapshot(): unknown {
    return {
      v: 1,
      tracker: this.tracker.snapshot(),
      collisions: [...this.collisions.values()],
      droppedCollisions: this.droppedCollisions,
      failedMoves: this.failedMoves,
      droppedMoves: this.droppedMoves,
      writtenFolders: this.writtenFolders.toJSON(),
      writtenSeries: this.writtenSeries.toJSON(),
      virtualFolders: this.virtualFolders.toJSON(),
      inconsistentByStudy: this.inconsistentByStudy.toJSON(),
      shape: this.shape,
      offsetVotes: this.offsetVotes,
      virtualSeen: this.virtualSeen,
      debugSeen: this.debugSeen,
      configs: this.configs,
      lastRefusal: [...this.lastRefusal.entries()],
      lastCleanup: [...this.lastCleanup.entries()],
      firstTime: this.firstTime,
      liveServers: [...this.liveServers],
      readings: [...this.readings.entries()],
      emittedRisks: [...this.emittedRisks].slice(-10000),
    };
  }

  static restore(state: unknown, cfg: CorrelateConfig = DEFAULT_CONFIG): ForensicEngine {
    const st = state as {
      tracker: unknown;
      collisions: CollisionState[];
      droppedCollisions: number;
      failedMoves: MoveRecord[];
      droppedMoves: number;
      writtenFolders: Parameters<typeof BoundedMap.fromJSON<string, FolderWritten>>[0];
      writtenSeries: Parameters<typeof BoundedMap.fromJSON<string, SeriesWritten>>[0];
      virtualFolders: Parameters<typeof BoundedMap.fromJSON<string, VirtualFolder>>[0];
      inconsistentByStudy: Parameters<typeof BoundedMap.fromJSON<string, Evidence[]>>[0];
      shape: ShapeState;
      offsetVotes: Record<string, number>;
      virtualSeen: boolean;
      debugSeen: boolean;
      configs: ConquestConfig[];
      lastRefusal: [string, RecentRefusal][];
      lastCleanup: [string, string][];
      firstTime: string | null;
      /** Absent from snapshots of earlier versions. */
      liveServers?: string[];
      readings?: [string, { gen: number; line: number }][];
      emittedRisks: string[];
    };
    const e = new ForensicEngine(cfg);
    e.tracker = AssociationTracker.restore(cfg, st.tracker);
    for (const c of st.collisions) e.collisions.set(c.id, c);
    e.droppedCollisions = st.droppedCollisions;
    e.failedMoves = st.failedMoves;
    e.droppedMoves = st.droppedMoves;
    e.writtenFolders = BoundedMap.fromJSON(st.writtenFolders);
    e.writtenSeries = BoundedMap.fromJSON(st.writtenSeries);
    e.virtualFolders = BoundedMap.fromJSON(st.virtualFolders);
    e.inconsistentByStudy = BoundedMap.fromJSON(st.inconsistentByStudy);
    e.shape = st.shape;
    e.offsetVotes = st.offsetVotes;
    e.virtualSeen = st.virtualSeen;
    e.debugSeen = st.debugSeen;
    e.configs = st.configs;
    e.lastRefusal = new Map(st.lastRefusal);
    e.lastCleanup = new Map(st.lastCleanup);
    e.firstTime = st.firstTime;
    e.liveServers = new Set(st.liveServers ?? []);
    // A state saved before readings were counted: the last line it knew of each source, so the
    // first rotation after the upgrade is seen as one.
    e.readings = new Map(st.readings ?? [...lastLinesIn(state)].map(([src, line]) => [src, { gen: 0, line }] as [string, { gen: number; line: number }]));
    e.emittedRisks = new Set(st.emittedRisks);
    return e;
  }
}

/**
 * Which file's line goes first when several lines share a second: PacsTrouble.log's own
 * `Inconsistent` lines (written just before the refusal they accompany), then the server logs,
 * then PacsTrouble.log's and the GUI log's copies of `***` lines, so a copy never precedes its original.
 */
function tieGroup(e: Evidence): number {
  if (!isTroubleCopy(e.source)) return 1;
  return e.kind === 'inconsistent' ? 0 : 2;
}

/**
 * Evidence as printed: without its internal reading number. A line of an earlier reading of a file
 * that was read again since (`latest` gives the newest reading of a source) says so in its role: its
 * line number is of the file as it was then, now in the day's logs_*.zip.
 */
function printedEvidence(e: Evidence, latest?: (source: string) => number): Evidence {
  const earlier = latest !== undefined && (e.gen ?? 0) < latest(e.source);
  if (e.gen === undefined && !earlier) return e;
  const { gen: _reading, ...printed } = e;
  if (earlier) printed.role = `${e.role ?? e.kind}; earlier reading of this file, now in its logs_*.zip`;
  return printed;
}

/**
 * Evidence in time order, without duplicates. Each file's lines keep their order (by reading, time,
 * then line number), and the files are merged by time; lines of one second from several files come in the order
 * of `tieGroup`, then of the file's first appearance in `list`. A merge of per-file runs rather than
 * one comparator sort: a comparator mixing file order with cross-file rules cannot be transitive
 * (it could put `PacsTrouble.log:9` before `:8`).
 */
export function sortEvidence(list: Evidence[], latest?: (source: string) => number): Evidence[] {
  const seen = new Set<string>();
  const bySource = new Map<string, Evidence[]>();
  for (const e of list) {
    const k = lineKey(e);
    if (seen.has(k)) continue;
    seen.add(k);
    let run = bySource.get(e.source);
    if (!run) bySource.set(e.source, (run = []));
    run.push(e);
  }
  // A later reading of a file (after its rotation) comes after the earlier one.
  const runs = [...bySource.values()].map((r) => r.sort((a, b) => (a.gen ?? 0) - (b.gen ?? 0) || compareOptionalTimes(a.time, b.time) || a.line - b.line));
  const at = runs.map(() => 0);
  const out: Evidence[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < runs.length; i++) {
      const e = runs[i]![at[i]!];
      if (e === undefined) continue;
      if (best === -1) {
        best = i;
        continue;
      }
      const b = runs[best]![at[best]!]!;
      const d = compareOptionalTimes(e.time, b.time) || tieGroup(e) - tieGroup(b);
      if (d < 0) best = i;
    }
    if (best === -1) return out;
    out.push(printedEvidence(runs[best]![at[best]!]!, latest));
    at[best]!++;
  }
}

export interface AnalyzeOptions {
  encoding?: 'latin1' | 'utf8';
  dateOrder?: 'dmy' | 'mdy' | 'ymd';
  tz?: string;
  /** Report only collisions seen in [since, until) and warnings in it; every event still feeds the state. */
  since?: string;
  until?: string;
  onProblem?: (p: InputProblem) => void;
  onEvent?: (e: LogEvent) => void;
  /** The engine's bounds (default DEFAULT_CONFIG). */
  config?: CorrelateConfig;
}

/**
 * The analysis lane for an engine. A caller that also watches the events (`timeline`, which
 * matches their text and learns identifiers from their fields) gets every text and field.
 */
export function analysisLane(engine: ForensicEngine, watched: boolean): AnalysisLane {
  if (watched) return { fieldless: new Set(), writtenKeysOnly: false, needsText: () => true };
  return {
    fieldless: FIELDLESS_KINDS,
    writtenKeysOnly: true,
    // The tracker reads only `thread` of the association's thread lines.
    threadOnly: THREAD_LINE_KINDS,
    needsText: (kind, fields, source) => engine.needsText(kind, fields, source),
    absorb: (kind, time, source, fields) => (kind === 'sending-file' ? engine.absorbSending(time, source) : engine.absorbWritten(kind, time, source, fields)),
  };
}

/** Reads the paths and analyses them: the library form of `cqlog analyze`. */
export async function analyzePaths(paths: string[], opts: AnalyzeOptions = {}): Promise<AnalysisResult & { readable: boolean }> {
  const engine = new ForensicEngine(opts.config ?? DEFAULT_CONFIG);
  const ingestOpts: IngestOptions = { encoding: opts.encoding ?? 'latin1', analysisLane: analysisLane(engine, opts.onEvent !== undefined) };
  if (opts.dateOrder) ingestOpts.dateOrder = opts.dateOrder;
  if (opts.tz) ingestOpts.tz = opts.tz;
  const result = await readEvents(
    paths,
    ingestOpts,
    (e) => {
      engine.push(e);
      opts.onEvent?.(e);
    },
    opts.onProblem ?? (() => {}),
  );
  for (const c of result.configs) engine.addConfig(c);
  const inputs: InputSummary[] = result.sources.map((s) => ({ source: s.source, lines: s.lines, events: s.events, unknown: s.unknown, problems: s.problems }));
  const r = engine.result(inputs);
  const inWin = (t: string | null): boolean => t === null || ((opts.since === undefined || t.slice(0, 19) >= opts.since) && (opts.until === undefined || t.slice(0, 19) < opts.until));
  r.collisions = r.collisions.filter((c) => inWin(c.lastSeen) || inWin(c.firstSeen)).map((c) => ({ ...c, remediation: remediationFor(c, r.site) }));
  r.warnings = r.warnings.filter((w) => inWin(w.time));
  return { ...r, readable: result.sources.some((s) => s.readable) };
}
