/**
 * Association context (issue 3, item 1). Only `UPACS THREAD n` lines carry a thread number
 * (reference §2.3, "Concurrency caveat"); every other line is attributed by what each open
 * association is doing: its frame lines follow its start, a `C-Move Destination` belongs to an
 * association that proposed a MOVE context, `Host '…' did not accept` to the move whose destination
 * it names, a `Written file` to one that proposed storage. Where the log cannot decide, the
 * attribution says `ambiguous` instead of guessing silently.
 */
import type { LogEvent } from '../parse/event.js';
import type { Evidence } from '../explain/types.js';
import type { CorrelateConfig } from './config.js';
import { ref, serverOf, wallSeconds } from './evidence.js';
import { keyTag } from '../common/keyTag.js';

export type Attribution = 'explicit' | 'frame' | 'role' | 'key' | 'ambiguous' | 'none';

export interface MoveRecord {
  id: string;
  server: string;
  /** Association key, or null when the move's thread start was not in the logs read. */
  assoc: string | null;
  thread: number | null;
  requestingAe: string | null;
  destination: string;
  time: string | null;
  source: string;
  line: number;
  imagesToSend: number | null;
  outcome: 'pending' | 'refused' | 'sent' | 'unknown-destination' | 'no-images' | 'done';
  done: boolean;
  /** Patient folders of the rows this move made (debug `Virtual query (…) added`), with counts. */
  virtualRows: Record<string, number>;
  /** `time(NULL)` tokens of those rows' file names. */
  virtualFileTimes: number[];
  collecting: boolean;
  evidence: Evidence[];
  ambiguous: boolean;
  /** The reading of `source` it finished in (Evidence.gen), when not the first. */
  gen?: number;
}

export interface Association {
  key: string;
  server: string;
  thread: number;
  source: string;
  line: number;
  time: string | null;
  lastSeconds: number | null;
  callingAe: string | null;
  calledAe: string | null;
  frameOpen: boolean;
  canStore: boolean;
  canMove: boolean;
  canFind: boolean;
  canGet: boolean;
  canEcho: boolean;
  move: MoveRecord | null;
  lastFolder: string | null;
  seq: number;
}

const MOVE_SOP = /^1\.2\.840\.10008\.5\.1\.4\.1\.2\.\d\.2$/;
const GET_SOP = /^1\.2\.840\.10008\.5\.1\.4\.1\.2\.\d\.3$/;
const FIND_SOP = /^1\.2\.840\.10008\.5\.1\.4\.(?:1\.2\.\d\.1|31)$/;
const ECHO_SOP = '1.2.840.10008.1.1';
const STORE_SOP = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\./;

const FRAME_KINDS = new Set(['calling-ae', 'called-ae', 'application-context', 'proposed-contexts', 'presentation-context', 'transfer-syntax', 'associate-dump', 'server-command', 'message-id']);
/** Lines a C-MOVE/C-GET prints while it is served (reference §2.4, §2.5). */
const MOVE_KINDS = new Set([
  'images-to-send',
  'host-refused',
  'host-rejects-image',
  'accepted-compression',
  'sending-file',
  'move-done',
  'get-done',
  'move-destination-unknown',
  'qualify-mapped',
  'retrieve-step',
  'move-search-failed',
  'move-blocked',
  'reduced-to',
  'remote-dropped',
  'cancel-received',
  'virtual-row-added',
  'virtual-response',
  'virtual-first-response',
  'virtual-collecting',
  'virtual-grabbed',
  'virtual-move-error',
  'virtual-association-lost',
  'virtual-move-connect-failed',
  'virtual-move-request',
  'virtual-find-connect-failed',
  'virtual-db-problem',
  'retrieve-incomplete',
  'missing-file',
  'deleting-image-entry',
  'file-not-found',
]);
/** The active move a move line goes to: the oldest first, as dgate serves a move's steps in order. */
function oldestMove<T extends { m: MoveRecord }>(active: T[]): T {
  return active.reduce((p, c) => (c.m.line < p.m.line && c.m.source === p.m.source ? c : p));
}

const STORE_KINDS = new Set(['written-file', 'rewritten-file', 'sql-save-error', 'refused-link', 'file-exists', 'virtual-file', 'truncated-value', 'missing-attribute', 'write-error', 'duplicate-found']);
const FIND_KINDS = new Set(['query-level', 'find-done']);
/**
 * Store lines whose association an explanation relies on (who pushed the refused object): only
 * these count as ambiguous when the log cannot decide. Which of several concurrent pushes wrote an
 * ordinary `Written file` changes no conclusion.
 */
const COUNTED_STORE_KINDS = new Set(['refused-link', 'sql-save-error']);

/** A store attribution kept for the next store lines of its server and folder (see `keptAnswer`). */
interface StoreAnswer {
  server: string;
  folder: string | null;
  /** keyTag(folder), -1 for none: compared before the folder. */
  folderTag: number;
  result: AttributionResult;
  /** How it was found: the only candidate, the folder's only writer, or the most recent of the candidates that had written the folder (none, several) or of the moves. */
  basis: AnswerBasis;
}

type AnswerBasis = 'role' | 'key' | 'latest-alone' | 'latest-shared' | 'latest-move';

/** Store answers kept at most (concurrent pushes on one server). */
const MAX_KEPT_ANSWERS = 8;

export interface AttributionResult {
  assoc: Association | null;
  how: Attribution;
  /** A move started or updated by this event. */
  move: MoveRecord | null;
  /** A move that this event finished (its outcome is now known). */
  finished: MoveRecord | null;
}

/** The answer for an event no association claims (shared: callers only read it). */
const NO_ATTRIBUTION: AttributionResult = Object.freeze({ assoc: null, how: 'none', move: null, finished: null });

export interface TrackerNotes {
  evictedAssociations: number;
  expiredAssociations: number;
  ambiguousLines: number;
}

function s(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export class AssociationTracker {
  private open = new Map<string, Association>();
  private seq = 0;
  /** Moves without a known association (log started mid-association), per server. */
  private orphanMoves = new Map<string, MoveRecord>();
  readonly notes: TrackerNotes = { evictedAssociations: 0, expiredAssociations: 0, ambiguousLines: 0 };
  private moveCounter = 0;

  /**
   * Store attributions made since the last event that may change them, one per server and patient
   * folder, reused for the next store lines of that folder (most of a router's log is the `Written
   * file` lines of a few concurrent pushes). Any event but a store line or a `Sending file` may
   * change what an attribution depends on (the open associations, their roles and moves), so each
   * bumps `version`, which empties the list. A store line changes only its association's recency and
   * last folder, a `Sending file` only the recency of the association serving its move (never a
   * storing one); `keptAnswer` says when an answer survives that.
   */
  private version = 0;
  private answersVersion = 0;
  private answers: StoreAnswer[] = [];

  constructor(private readonly cfg: CorrelateConfig) {}

  /**
   * Which reading of its source the event being pushed is from (ForensicEngine sets it before each
   * push; 0 for the first): a move's lines carry it, so two readings' lines of one number stay apart.
   */
  reading = 0;

  /** Serialisable state (for tail checkpoints). */
  snapshot(): unknown {
    return { open: [...this.open.values()], seq: this.seq, orphanMoves: [...this.orphanMoves.entries()], notes: this.notes, moveCounter: this.moveCounter };
  }

  static restore(cfg: CorrelateConfig, state: unknown): AssociationTracker {
    const t = new AssociationTracker(cfg);
    const st = state as { open: Association[]; seq: number; orphanMoves: [string, MoveRecord][]; notes: TrackerNotes; moveCounter: number };
    for (const a of st.open) t.open.set(a.key, a);
    t.seq = st.seq;
    t.orphanMoves = new Map(st.orphanMoves);
    Object.assign(t.notes, st.notes);
    t.moveCounter = st.moveCounter;
    return t;
  }

  /**
   * The analysis lane's shortcut for a `Sending file` line while no move on the server waits for its
   * outcome: what push would do with it (the association serving the move it goes to is touched, an
   * ambiguous pick counted), without an event. False, changing nothing, when a move is pending: that
   * line marks the move sent and is cited, so it must be pushed.
   */
  sendingFile(server: string, time: string | null): boolean {
    const active = this.activeMoves(server);
    if (active.length === 0) return true;
    if (active.some((x) => x.m.outcome === 'pending')) return false;
    if (active.length > 1) this.notes.ambiguousLines++;
    const pick = oldestMove(active);
    if (pick.a) this.touchAt(pick.a, time);
    return true;
  }

  /** True when some move on the server has not yet had its outcome (its next line may be cited). */
  hasPendingMove(server: string): boolean {
    // The moves activeMoves() lists, without building the list: this is asked for every `Sending file` line.
    for (const a of this.open.values()) if (this.servedMove(a, server)?.outcome === 'pending') return true;
    return this.orphanMove(server)?.outcome === 'pending';
  }

  /** The move an open association serves on this server and has not finished, if any. */
  private servedMove(a: Association, server: string): MoveRecord | null {
    return a.server === server && a.move && !a.move.done ? a.move : null;
  }

  /** The unfinished move of this server that no association could be found for, if any. */
  private orphanMove(server: string): MoveRecord | null {
    const orphan = this.orphanMoves.get(server);
    return orphan !== undefined && !orphan.done ? orphan : null;
  }

  openAssociations(): Association[] {
    return [...this.open.values()];
  }

  private touch(a: Association, e: LogEvent): void {
    this.touchAt(a, e.time);
  }

  private touchAt(a: Association, time: string | null): void {
    const t = wallSeconds(time);
    if (t !== null) a.lastSeconds = t;
    a.seq = ++this.seq;
  }

  private expire(now: number | null): void {
    if (now === null) return;
    for (const [k, a] of this.open) {
      if (a.lastSeconds !== null && now - a.lastSeconds > this.cfg.associations.expireAfterSeconds) {
        this.open.delete(k);
        this.notes.expiredAssociations++;
      }
    }
  }

  private newMove(e: LogEvent, a: Association | null, server: string, destination: string): MoveRecord {
    return {
      id: `move-${++this.moveCounter}`,
      server,
      assoc: a?.key ?? null,
      thread: a?.thread ?? null,
      requestingAe: a?.callingAe ?? null,
      destination,
      time: e.time,
      source: e.source,
      line: e.line,
      imagesToSend: null,
      outcome: 'pending',
      done: false,
      virtualRows: {},
      virtualFileTimes: [],
      collecting: false,
      evidence: [ref(e, 'move requested', this.reading)],
      ambiguous: false,
    };
  }

  /**
   * The kept answer for a store line of this server and folder, if it still stands. While `version`
   * stands the server's storing associations are fixed, and only store lines move a storing
   * association's recency and last folder (a `Sending file` moves the recency of the association
   * serving its move, which only makes `latest` false for the others); another association can take
   * this folder only through a line of it, whose answer would have replaced this one. So an answer made:
   * - `role` (the only candidate) stands;
   * - `key` (the one that last wrote the folder) and `latest-alone` (the most recent, none having
   *   written the folder) leave at most this association as the folder's writer: the answer is
   *   again this one while it still is the writer (then `key`) or, if it moved on, while it is the
   *   most recent association (then the most recent);
   * - `latest-shared` (the most recent, several having written the folder) stands while it is both
   *   the folder's writer and the most recent;
   * - `latest-move` (the most recent move, no storing association) stands while it is the most recent.
   * Beyond `role` and a standing `key`, the kind of answer may differ from the one computed, so
   * only callers that do not read it (`exact: false`) take those.
   */
  private keptAnswer(server: string, folder: string | null, exact: boolean): StoreAnswer | null {
    if (this.answersVersion !== this.version) {
      this.answers.length = 0;
      this.answersVersion = this.version;
      return null;
    }
    const tag = folder === null ? -1 : keyTag(folder);
    for (const x of this.answers) {
      if (x.folderTag !== tag || x.folder !== folder || x.server !== server) continue;
      const a = x.result.assoc!;
      const writer = folder !== null && a.lastFolder === folder;
      const latest = a.seq === this.seq;
      let stands: boolean;
      switch (x.basis) {
        case 'role':
          stands = true;
          break;
        case 'key':
          stands = writer || (!exact && latest);
          break;
        case 'latest-alone':
          stands = !exact && (writer || latest);
          break;
        case 'latest-shared':
          stands = !exact && writer && latest;
          break;
        case 'latest-move':
          stands = !exact && latest;
          break;
      }
      return stands ? x : null;
    }
    return null;
  }

  private keepAnswer(server: string, folder: string | null, result: AttributionResult, basis: AnswerBasis): void {
    if (this.answersVersion !== this.version) {
      this.answers.length = 0;
      this.answersVersion = this.version;
    }
    const i = this.answers.findIndex((x) => x.folder === folder && x.server === server);
    if (i !== -1) this.answers.splice(i, 1);
    if (result.assoc === null) return;
    if (this.answers.length >= MAX_KEPT_ANSWERS) this.answers.shift();
    this.answers.push({ server, folder, folderTag: folder === null ? -1 : keyTag(folder), result, basis });
  }

  /** What a store line attributed to `a` does to it (the same whether computed or a kept answer). */
  private stored(a: Association, folder: string | null, time: string | null): void {
    this.touchAt(a, time);
    a.frameOpen = false;
    if (folder) a.lastFolder = folder;
  }

  /**
   * Attributes a store line (a STORE_KINDS event) of this server and patient folder, from a kept
   * answer where one stands. `exact`: the caller reads the kind of answer, not only the association
   * (see `keptAnswer`).
   */
  attributeStore(server: string, folder: string | null, kind: string, time: string | null, exact: boolean): AttributionResult {
    const kept = this.keptAnswer(server, folder, exact);
    if (kept !== null) {
      this.stored(kept.result.assoc!, folder, time);
      return kept.result;
    }
    // One pass over the open associations (this runs for every Written file): the storing ones,
    // the most recent of them, and those that last wrote this patient folder.
    let count = 0;
    let latest: Association | null = null;
    let sameCount = 0;
    let same: Association | null = null;
    for (const x of this.open.values()) {
      if (x.server !== server || !x.canStore || (x.move && !x.move.done)) continue;
      count++;
      if (!latest || x.seq > latest.seq) latest = x;
      if (folder !== null && x.lastFolder === folder) {
        sameCount++;
        same = x;
      }
    }
    let a: Association | null = null;
    let how: Attribution = 'role';
    let basis: AnswerBasis = 'role';
    if (count === 1) a = latest;
    else if (count > 1) {
      if (sameCount === 1) {
        a = same;
        how = 'key';
        basis = 'key';
      } else {
        a = latest;
        how = 'ambiguous';
        basis = sameCount === 0 && folder !== null ? 'latest-alone' : 'latest-shared';
        if (COUNTED_STORE_KINDS.has(kind)) this.notes.ambiguousLines++;
      }
    } else {
      // A refusal inside a virtual query happens in the move's own thread (reference §7).
      const mv = this.candidates((x) => x.server === server && x.move !== null && !x.move.done);
      if (mv.length >= 1) {
        a = mv.reduce((p, c) => (c.seq > p.seq ? c : p));
        how = mv.length === 1 ? 'role' : 'ambiguous';
        basis = mv.length === 1 ? 'role' : 'latest-move';
        if (how === 'ambiguous' && COUNTED_STORE_KINDS.has(kind)) this.notes.ambiguousLines++;
      }
    }
    const result: AttributionResult = { assoc: a, how: a ? how : 'none', move: null, finished: null };
    if (a) this.stored(a, folder, time);
    this.keepAnswer(server, folder, result, basis);
    return result;
  }

  /** Attributes one event and updates association and move state. */
  push(e: LogEvent): AttributionResult {
    const f = e.fields;
    const server = serverOf(e.source);
    // A `Sending file` line (a router's moves print one per image) only touches the association
    // serving its move, which is no storing one, and may mark the move sent: the storing associations
    // stay as they are, and keptAnswer checks recency as it stands. Any other line may change them.
    if (!STORE_KINDS.has(e.kind) && e.kind !== 'sending-file') this.version++;
    const none = NO_ATTRIBUTION;
    switch (e.kind) {
      case 'thread-start': {
        const thread = f.thread as number;
        const key = `${server}#${thread}`;
        this.expire(wallSeconds(e.time));
        if (this.open.size >= this.cfg.associations.maxOpen) {
          let oldest: Association | null = null;
          for (const a of this.open.values()) if (!oldest || a.seq < oldest.seq) oldest = a;
          if (oldest) {
            this.open.delete(oldest.key);
            this.notes.evictedAssociations++;
          }
        }
        const a: Association = {
          key,
          server,
          thread,
          source: e.source,
          line: e.line,
          time: e.time,
          lastSeconds: wallSeconds(e.time),
          callingAe: null,
          calledAe: null,
          frameOpen: true,
          canStore: false,
          canMove: false,
          canFind: false,
          canGet: false,
          canEcho: false,
          move: null,
          lastFolder: null,
          seq: ++this.seq,
        };
        this.open.set(key, a); // a restarted server reuses thread numbers: the new one replaces the old
        return { assoc: a, how: 'explicit', move: null, finished: null };
      }
      case 'thread-end':
      case 'thread-runtime': {
        const key = `${server}#${f.thread as number}`;
        const a = this.open.get(key) ?? null;
        if (a && e.kind === 'thread-runtime') this.open.delete(key);
        let finished: MoveRecord | null = null;
        if (a?.move && !a.move.done) {
          a.move.done = true;
          finished = a.move;
        }
        return { assoc: a, how: a ? 'explicit' : 'none', move: null, finished };
      }
    }
    if (FRAME_KINDS.has(e.kind)) {
      const a = this.latest((x) => x.server === server && x.frameOpen);
      if (!a) return none;
      this.touch(a, e);
      if (e.kind === 'calling-ae') a.callingAe = s(f.ae);
      else if (e.kind === 'called-ae') a.calledAe = s(f.ae);
      else if (e.kind === 'presentation-context') {
        const uid = s(f.abstractSyntax) ?? '';
        if (MOVE_SOP.test(uid)) a.canMove = true;
        else if (GET_SOP.test(uid)) a.canGet = true;
        else if (FIND_SOP.test(uid)) a.canFind = true;
        else if (uid === ECHO_SOP) a.canEcho = true;
        else if (STORE_SOP.test(uid)) a.canStore = true;
        else a.canStore = true; // private and other storage classes
      }
      return { assoc: a, how: 'frame', move: null, finished: null };
    }
    if (e.kind === 'move-destination') return this.moveStart(e, server);
    if (MOVE_KINDS.has(e.kind)) return this.moveLine(e, server);
    if (STORE_KINDS.has(e.kind)) return this.attributeStore(server, s(f.patientFolder), e.kind, e.time, true);
    if (FIND_KINDS.has(e.kind) || e.kind === 'c-echo') {
      const cands = this.candidates((x) => x.server === server && (e.kind === 'c-echo' ? x.canEcho : x.canFind) && !(x.move && !x.move.done));
      if (cands.length === 0) return none;
      const a = cands.reduce((p, c) => (c.seq > p.seq ? c : p));
      this.touch(a, e);
      a.frameOpen = false;
      return { assoc: a, how: cands.length === 1 ? 'role' : 'ambiguous', move: null, finished: null };
    }
    return none;
  }

  private latest(pred: (a: Association) => boolean): Association | null {
    let best: Association | null = null;
    for (const a of this.open.values()) if (pred(a) && (!best || a.seq > best.seq)) best = a;
    return best;
  }

  private candidates(pred: (a: Association) => boolean): Association[] {
    const out: Association[] = [];
    for (const a of this.open.values()) if (pred(a)) out.push(a);
    return out;
  }

  private moveStart(e: LogEvent, server: string): AttributionResult {
    const dest = s(e.fields.destination) ?? '';
    let cands = this.candidates((x) => x.server === server && x.canMove && (!x.move || x.move.done));
    let how: Attribution = 'role';
    if (cands.length === 0) cands = this.candidates((x) => x.server === server && x.frameOpen);
    let a: Association | null = null;
    if (cands.length === 1) a = cands[0]!;
    else if (cands.length > 1) {
      // The frame of the association that asks is printed just before its command.
      const framing = cands.filter((x) => x.frameOpen);
      a = (framing.length > 0 ? framing : cands).reduce((p, c) => (c.seq > p.seq ? c : p));
      if (framing.length !== 1) {
        how = 'ambiguous';
        this.notes.ambiguousLines++;
      } else how = 'frame';
    }
    const move = this.newMove(e, a, server, dest);
    move.ambiguous = how === 'ambiguous';
    if (a) {
      this.touch(a, e);
      a.frameOpen = false;
      a.move = move;
    } else {
      this.orphanMoves.set(server, move);
    }
    return { assoc: a, how: a ? how : 'none', move, finished: null };
  }

  /** Moves still being served on a server, with their associations. */
  private activeMoves(server: string): { a: Association | null; m: MoveRecord }[] {
    const out: { a: Association | null; m: MoveRecord }[] = [];
    for (const a of this.open.values()) {
      const m = this.servedMove(a, server);
      if (m !== null) out.push({ a, m });
    }
    const orphan = this.orphanMove(server);
    if (orphan !== null) out.push({ a: null, m: orphan });
    return out;
  }

  private moveLine(e: LogEvent, server: string): AttributionResult {
    const f = e.fields;
    let active = this.activeMoves(server);
    if (e.kind === 'images-to-send') active = active.filter((x) => x.m.imagesToSend === null).length > 0 ? active.filter((x) => x.m.imagesToSend === null) : active;
    if (e.kind === 'host-refused' || e.kind === 'host-rejects-image') {
      const host = (s(f.host) ?? '').trim();
      const byDest = active.filter((x) => x.m.destination.trim() === host);
      if (byDest.length > 0) active = byDest;
    }
    if (active.length === 0) {
      // Clean-up lines (missing file, deleting entries) also come from other paths; not a move line then.
      return { assoc: null, how: 'none', move: null, finished: null };
    }
    let how: Attribution = active.length === 1 ? 'role' : 'ambiguous';
    if (active.length > 1 && (e.kind === 'host-refused' || e.kind === 'host-rejects-image')) how = 'key';
    const pick = oldestMove(active);
    if (how === 'ambiguous') this.notes.ambiguousLines++;
    const m = pick.m;
    if (pick.a) this.touch(pick.a, e);
    let finished: MoveRecord | null = null;
    switch (e.kind) {
      case 'images-to-send':
        m.imagesToSend = typeof f.count === 'number' ? f.count : null;
        m.evidence.push(ref(e, 'images found', this.reading));
        break;
      case 'host-refused':
        m.outcome = 'refused';
        m.evidence.push(ref(e, 'destination refused the connection', this.reading));
        finished = m;
        break;
      case 'sending-file':
        if (m.outcome === 'pending') {
          m.outcome = 'sent';
          m.evidence.push(ref(e, 'first image sent', this.reading));
        }
        break;
      case 'move-destination-unknown':
        m.outcome = 'unknown-destination';
        m.evidence.push(ref(e, 'destination unknown (C003)', this.reading));
        break;
      case 'move-search-failed':
        m.outcome = 'no-images';
        break;
      case 'virtual-row-added': {
        const folder = s(f.patientFolder);
        if (folder) m.virtualRows[folder] = (m.virtualRows[folder] ?? 0) + 1;
        if (typeof f.fileTime === 'number' && m.virtualFileTimes.length < 64) m.virtualFileTimes.push(f.fileTime);
        if (Object.values(m.virtualRows).reduce((x, y) => x + y, 0) <= 3) m.evidence.push(ref(e, 'database row made for a virtual image', this.reading));
        break;
      }
      case 'virtual-collecting':
        m.collecting = true;
        m.evidence.push(ref(e, 'collecting from the virtual server', this.reading));
        break;
      case 'move-done':
      case 'get-done':
        if (m.outcome === 'pending') m.outcome = m.imagesToSend === null ? 'no-images' : 'done';
        m.evidence.push(ref(e, 'move finished', this.reading));
        m.done = true;
        finished = finished ?? m;
        break;
      case 'qualify-mapped':
        m.evidence.push(ref(e, 'destination address from acrnema.map', this.reading));
        break;
      case 'virtual-move-error':
      case 'virtual-association-lost':
      case 'virtual-move-connect-failed':
      case 'retrieve-incomplete':
        if (m.evidence.length < 16) m.evidence.push(ref(e, 'upstream failure; clean-up follows', this.reading));
        break;
      default:
        break;
    }
    return { assoc: pick.a, how, move: m, finished };
  }
}
