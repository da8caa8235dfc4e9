/**
 * Turns the physical lines of one source into events: prefix parsing, continuation lines,
 * messages glued to the next one, GUI day/month order, syslog years, `--tz`, and clock jumps.
 * Events are emitted strictly in file order: a clock that jumps back never reorders them.
 */
import type { Fields, LogEvent, ProblemSink } from './event.js';
import { classify } from './catalog/index.js';
import { findGluedInMessage, findGluedPrefix, isoLocal, parseCtime, parsePrefix, type ParsedPrefix } from './prefix.js';
import { evidenceOf, guiIso, priorOf, type DateOrder } from './dateOrder.js';
import { fmtOffset, wallMs, ZoneMapper } from './timezone.js';

export interface AssembleOptions {
  /** Set by the analysis lane: fast-lane events may share one pending record (see `known`). */
  reuseKnown?: boolean;
  /** Forces the day/month order of GUI dates. */
  dateOrder?: DateOrder;
  /** IANA zone: times get its UTC offset. */
  tz?: string;
  /** Year of the first syslog line, which carries none (default: from the file's other lines, else guessed from today). */
  syslogYear?: number;
  /** Skip field extraction (stats only needs kinds). */
  kindsOnly?: boolean;
  /** How the lines were decoded; needed for the byte offset of the second half of a glued line. */
  encoding?: 'latin1' | 'utf8';
  /**
   * Reading resumes in the middle of a source (a stored block, a continued index run): the GUI
   * order in effect there (the lines' own dates still override it, unlike `dateOrder`)…
   */
  startOrder?: DateOrder;
  /** …and, when the first line continues an event, the time that event had (it inherits it)… */
  inheritTime?: string | null;
  /** …and the syslog year state there (see `syslogResume`), so a year turned before is kept. */
  syslogResume?: SyslogResume;
}

/** Where the syslog year stands: its base, the New Years passed since, the month of the last syslog line. */
export interface SyslogResume {
  /** Null while the year is not known yet (the syslog lines wait for it). */
  base: number | null;
  roll: number;
  lastMo: number;
}

/** Events held back while a file has not yet shown its GUI day/month order or its syslog year. */
export const MAX_HELD_EVENTS = 5000;
/** A backwards step larger than this is reported as a clock jump. */
export const CLOCK_JUMP_MS = 60_000;
/** Continuation lines joined to one event at most; further ones become their own events. */
export const MAX_CONTINUATION_LINES = 1000;
/** Characters of one event's text at most: a continuation line that would pass it starts an event. */
export const MAX_EVENT_CHARS = 1 << 20;
/** Clock jumps (and DST-gap times) reported per source at most; the rest are counted in a last problem. */
export const MAX_CLOCK_REPORTS = 20;

interface SyslogTime {
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  /** Year rollovers (Dec → Jan) seen before this line. */
  roll: number;
}

/** Marks a fast-lane event whose decoded text is to be classified when it is emitted. */
const CLASSIFY_TEXT: Fields = Object.freeze({}) as Fields;

interface Pending {
  line: number;
  offset: number;
  time: string | null;
  gui: ParsedPrefix['gui'];
  /** The day/month order of a GUI date: its own evidence or the file's, null while undecided. */
  order: DateOrder | null;
  syslog: SyslogTime | undefined;
  /** The UTC offset the line itself states (journald short-iso). */
  zone: string | undefined;
  pacsName: string | undefined;
  text: string;
  parts: number;
  /** Set when the time was taken from the previous event (bare line, no prefix of its own). */
  inherited: boolean;
  /** The event this one inherits its time from, until that time is resolved. */
  from: Pending | null;
  /** Set by the fast lane: the kind is already known from the line's bytes… */
  kind?: string;
  /** …and the characters of its undecoded first line beyond the one-space placeholder (for MAX_EVENT_CHARS). */
  hidden: number;
  /** Set by the analysis lane: fields read from the bytes, so the text need not be classified again. */
  fields: Fields | null;
}

export class EventAssembler {
  private pending: Pending | null = null;
  private held: Pending[] = [];
  /** Held events wait for the GUI order / the syslog year. */
  private heldGui = false;
  private heldSys = false;
  private order: DateOrder | null;
  private readonly forced: boolean;
  private orderChangeReported = false;
  /** True once the source has shown a prefixed (timestamped) line: bare lines are then continuations. */
  private timedRun = false;
  private lastTime: string | null = null;
  private lastTimeMs = 0;
  /** UTC instant (ms) of the last timed event, under `--tz`. */
  private lastInstant: number | null = null;
  /** Year of the first syslog line (after the rollovers counted in `roll`), once known. */
  private syslogBase: number | null;
  private syslogRoll = 0;
  private lastSyslogMo = 0;
  private sawSyslog = false;
  /** The last full (year-bearing) timestamp of the source. */
  private lastFullTime: string | null = null;
  private readonly zone: ZoneMapper | null;
  private clockReports = 0;
  private readonly utf8: boolean;

  constructor(
    private readonly source: string,
    private readonly opts: AssembleOptions,
    private readonly emit: (e: LogEvent) => void,
    private readonly onProblem: ProblemSink,
  ) {
    this.order = opts.dateOrder ?? opts.startOrder ?? null;
    this.forced = opts.dateOrder !== undefined;
    if (opts.inheritTime !== undefined) {
      this.timedRun = true;
      this.resumedFrom = { ...this.counted, time: opts.inheritTime, text: ' ', kind: undefined };
    }
    this.syslogBase = opts.syslogYear ?? null;
    if (opts.syslogResume) {
      this.sawSyslog = true;
      this.syslogBase = opts.syslogResume.base;
      this.syslogRoll = opts.syslogResume.roll;
      this.lastSyslogMo = opts.syslogResume.lastMo;
    }
    this.zone = opts.tz ? new ZoneMapper(opts.tz) : null;
    this.utf8 = opts.encoding === 'utf8';
  }

  /** The GUI day/month order decided (or forced) for this source so far, or null. */
  get dateOrder(): DateOrder | null {
    return this.order;
  }

  /** The syslog year state once the source has shown a syslog line, else null. */
  get syslogResume(): SyslogResume | null {
    return this.sawSyslog ? { base: this.syslogBase, roll: this.syslogRoll, lastMo: this.lastSyslogMo } : null;
  }

  /** True once the source has shown a timestamped line: bare lines may then continue an event. */
  get timed(): boolean {
    return this.timedRun;
  }

  /** True when the line last given (to `line` or `known`) started an event at its first byte. */
  get lineStartedEvent(): boolean {
    return this.startedAtLine;
  }

  private lineOffset = -1;
  private startedAtLine = false;
  /** Stands for the event a resumed reading's first (bare) line continues. */
  private resumedFrom: Pending | null = null;

  /**
   * Fast lane (kinds only): a line with a Windows or ctime prefix whose kind was decided from its
   * bytes (catalog `classifyBytes`, or `blank` for an empty message). Its text is not decoded; the
   * event keeps the same place in the sequence, so continuations, clock checks and counts stay exact.
   */
  known(time: string, kind: string, offset: number, lineNo: number, messageLength = 1): void {
    this.timedRun = true;
    this.lineOffset = offset;
    this.startedAtLine = true;
    // The time is a new string each second, stored into long-lived records: a store of a young
    // string into an old object goes through V8's write barrier (about 4 % of `stats` here), so
    // the same time is not stored again.
    if (this.lastFullTime !== time) this.lastFullTime = time;
    if (this.syslogBase === null && this.sawSyslog) this.syslogBase = yearOf(time) - this.syslogRoll;
    const c = this.counted;
    if (this.pending === c && this.held.length === 0 && c.time === this.lastTime && c.time !== null && this.zone === null) {
      // The common case of a run: the previous fast-lane event, same second, nothing held. finish()
      // would find no clock step and deliver it with this very time.
      this.deliver(c, c.time);
    } else if (this.pending) this.complete(this.pending);
    // With a counter, one reused record stands for the event (no allocation per line); it is copied
    // if it must wait in the held queue. Its text is a placeholder: the message was not decoded. A
    // message that was not empty gets a non-empty one (an empty text would make the next bare line
    // look like `\n***Client Error`); an empty message keeps its empty text, as the full path does.
    // The analysis lane (knownDetail) reuses it too: finish() copies what it emits, and a held event is copied.
    const next: Pending = this.onCounted !== null || this.onRun !== null || this.opts.reuseKnown === true ? this.counted : { ...this.counted };
    next.line = lineNo;
    next.offset = offset;
    if (next.time !== time) next.time = time;
    next.kind = kind;
    next.text = messageLength === 0 ? '' : ' ';
    next.hidden = messageLength === 0 ? 0 : messageLength - 1;
    next.parts = 1;
    next.fields = null;
    this.pending = next;
  }

  /**
   * Analysis lane: the event `known` just started gets its decoded message (then it is classified
   * as the full path would) and, when the bytes already gave them, its fields. Without a text the
   * event keeps the placeholder: for consumers that said they will not cite it.
   */
  knownDetail(text: string | null, fields: Fields | null): void {
    const p = this.pending;
    if (p === null || p.kind === undefined) return;
    if (text !== null) {
      p.text = text;
      p.hidden = 0;
    }
    p.fields = fields ?? CLASSIFY_TEXT;
  }

  /** True while events wait in the held queue (for the GUI date order or the syslog year). */
  get holding(): boolean {
    return this.held.length > 0;
  }

  /**
   * The analysis lane's shortcut (see `AnalysisLane.absorb`): a fast-lane event whose fields the
   * bytes gave is offered here when it is due, with its final time; true means it was taken and is
   * not emitted.
   */
  onAbsorb: ((kind: string, time: string | null, fields: Fields) => boolean) | null = null;

  private absorbs(ev: Pending, time: string | null): boolean {
    const f = ev.fields;
    return this.onAbsorb !== null && ev.kind !== undefined && f !== null && f !== CLASSIFY_TEXT && ev.pacsName === undefined && this.onAbsorb(ev.kind, time, f);
  }

  /** Kinds-only consumers (stats, the index) get fast-lane events here instead of as event objects (line: the event's first line). */
  onCounted: ((kind: string, time: string | null, line: number, fields: Fields | null) => void) | null = null;

  /**
   * Kinds-only consumers that read neither the line nor the fields (stats) may take runs instead:
   * `n` fast-lane events in a row of one kind and time, passed on when the run ends (a router's
   * `Written file` lines come in runs). Events keep their order: a run ends before any other
   * event is emitted.
   */
  onRun: ((kind: string, time: string | null, n: number) => void) | null = null;
  private runKind = '';
  private runTime: string | null = null;
  private runLength = 0;

  /** Passes on the run so far, if any (only an `onRun` consumer has runs). */
  private endRun(): void {
    if (this.runLength === 0) return;
    const n = this.runLength;
    this.runLength = 0;
    this.onRun!(this.runKind, this.runTime, n);
  }

  private readonly counted: Pending = {
    line: 0,
    offset: 0,
    time: null,
    gui: undefined,
    order: null,
    syslog: undefined,
    zone: undefined,
    pacsName: undefined,
    text: ' ',
    parts: 1,
    inherited: false,
    from: null,
    kind: '',
    hidden: 0,
    fields: null,
  };

  /** One physical line (CR removed) and the byte offset of its first byte in the source. */
  line(raw: string, offset: number, lineNo: number): void {
    this.lineOffset = offset;
    this.startedAtLine = false;
    const p = parsePrefix(raw);
    if (p.shape === 'none') {
      this.bare(raw, offset, lineNo);
      return;
    }
    this.timedRun = true;
    const glued = p.msg.length > 0 ? findGluedInMessage(p.msg) : -1;
    if (glued === -1) {
      this.start(this.prefixed(p, lineNo, offset, p.msg));
      return;
    }
    // An unterminated message (§1.6) with the next message glued on: two events.
    this.start(this.prefixed(p, lineNo, offset, p.msg.slice(0, glued)));
    const at = raw.length - p.msg.length + glued;
    this.gluedRest(raw.slice(at), offset + this.bytes(raw, at), lineNo);
  }

  /** Builds the event of a line with a prefix, and learns what it says about the file. */
  private prefixed(p: ParsedPrefix, line: number, offset: number, text: string): Pending {
    let time = p.time;
    let syslog: SyslogTime | undefined;
    let order: DateOrder | null = null;
    if (time !== null) {
      this.lastFullTime = time;
      // A full timestamp tells the year of the syslog lines before it.
      if (this.syslogBase === null && this.sawSyslog) this.syslogBase = yearOf(time) - this.syslogRoll;
    } else if (p.syslog) {
      const s = p.syslog;
      if (!this.sawSyslog) {
        this.sawSyslog = true;
        // …and of those after it.
        if (this.syslogBase === null && this.lastFullTime !== null) {
          this.syslogBase = yearOf(this.lastFullTime);
          this.lastSyslogMo = (this.lastFullTime.charCodeAt(5) - 48) * 10 + (this.lastFullTime.charCodeAt(6) - 48);
        }
      }
      if (this.lastSyslogMo !== 0 && this.lastSyslogMo - s.mo >= 2) this.syslogRoll++; // Dec → Jan: a new year
      this.lastSyslogMo = s.mo;
      syslog = { mo: s.mo, d: s.d, h: s.h, mi: s.mi, s: s.s, roll: this.syslogRoll };
      if (this.syslogBase === null) this.learnYear(text);
      if (this.syslogBase !== null) time = isoLocal(this.syslogBase + syslog.roll, s.mo, s.d, s.h, s.mi, s.s);
    } else if (p.gui) {
      const ev = evidenceOf(p.gui.date);
      if (ev !== null && ev !== 'ymd' && !this.forced) {
        if (this.order === null) this.order = ev;
        else if (ev !== this.order) {
          if (!this.orderChangeReported) {
            this.orderChangeReported = true;
            this.onProblem({
              source: this.source,
              line,
              offset,
              message: `GUI dates switch from ${this.order} to ${ev} order (the Windows locale changed?); ambiguous dates from here on are read as ${ev}`,
            });
          }
          this.order = ev;
        }
      }
      order = this.forced ? this.order : ev !== null && ev !== 'ymd' ? ev : this.order;
    }
    return {
      line,
      offset,
      time,
      gui: p.gui,
      order,
      syslog,
      zone: p.zone,
      pacsName: p.pacsName,
      text,
      parts: 1,
      inherited: false,
      from: null,
      hidden: 0,
      fields: null,
    };
  }

  /** The year of syslog lines from a ctime argument in their message (`UPACS THREAD n: STARTED AT: Fri Nov 27 …`). */
  private learnYear(text: string): void {
    const at = text.indexOf(' AT: ');
    if (at === -1 || !text.startsWith('UPACS THREAD')) return;
    const t = parseCtime(text.slice(at + 5));
    if (t !== null) this.syslogBase = yearOf(t) - this.syslogRoll;
  }

  /** The second half of a glued line: a prefixed message (possibly itself unterminated). */
  private gluedRest(rest: string, offset: number, lineNo: number): void {
    const p = parsePrefix(rest);
    const glued = p.msg.length > 0 ? findGluedInMessage(p.msg) : -1;
    this.start(this.prefixed(p, lineNo, offset, glued === -1 ? p.msg : p.msg.slice(0, glued)));
    if (glued !== -1) {
      const at = rest.length - p.msg.length + glued;
      this.gluedRest(rest.slice(at), offset + this.bytes(rest, at), lineNo);
    }
  }

  private bytes(s: string, end: number): number {
    return this.utf8 ? Buffer.byteLength(s.slice(0, end), 'utf8') : end;
  }

  /** A line with no prefix: a continuation, a glued pair, or (in untimestamped logs) a message of its own. */
  private bare(text: string, offset: number, lineNo: number): void {
    const cur = this.pending;
    if (!this.timedRun || !cur) {
      this.start(this.plain(lineNo, offset, text, this.timedRun ? this.resumedFrom : null));
      return;
    }
    // Reference §1.6: `…not allowed or known\n: %s` has no newline, so the next message is glued on.
    const glued = findGluedPrefix(text);
    const head = glued === -1 ? text : text.slice(0, glued);
    if (isBlank(head)) {
      // An empty line after a timestamp-only line is a blank of its own; after a message, its end.
      if (cur.text.length === 0) this.start(this.plain(lineNo, offset, head, cur));
      else if (this.fits(cur, head)) this.append(cur, head);
      else this.start(this.plain(lineNo, offset, head, cur));
    } else if (cur.text.length === 0 && cur.parts === 1) {
      // `\n***Client Error…` (§1.6): a message starting with a newline leaves its timestamp on a
      // line of its own; the bare line is that message. One event, at the timestamp line.
      cur.text = head;
      cur.parts++;
      // A blank from the fast lane now has a message of its own: classify it as the full path would.
      cur.kind = undefined;
      cur.fields = null;
    } else if (classify(head, false).kind !== 'unknown') {
      // A message that starts a line of its own without a timestamp.
      this.start(this.plain(lineNo, offset, head, cur));
    } else if (this.fits(cur, head)) {
      this.append(cur, head);
    } else {
      this.start(this.plain(lineNo, offset, head, cur));
    }
    if (glued !== -1) this.gluedRest(text.slice(glued), offset + this.bytes(text, glued), lineNo);
  }

  /** Whether a continuation line may still join the event (see MAX_CONTINUATION_LINES, MAX_EVENT_CHARS). */
  private fits(cur: Pending, head: string): boolean {
    return cur.parts < MAX_CONTINUATION_LINES && cur.text.length + cur.hidden + head.length < MAX_EVENT_CHARS;
  }

  private append(cur: Pending, head: string): void {
    cur.text += '\n' + head;
    cur.parts++;
  }

  /** An event without a prefix: it takes the time of `from` (the event before it), if any. */
  private plain(line: number, offset: number, text: string, prev: Pending | null): Pending {
    // Point at the timed event itself, so a run of bare lines does not chain every event in memory.
    const from = prev ? (prev.from ?? prev) : null;
    return {
      line,
      offset,
      time: from ? from.time : null,
      gui: from?.gui,
      order: from ? from.order : null,
      syslog: from?.syslog,
      zone: from?.zone,
      pacsName: from?.pacsName,
      text,
      parts: 1,
      inherited: from !== null,
      from,
      hidden: 0,
      fields: null,
    };
  }

  private start(next: Pending): void {
    if (next.offset === this.lineOffset) this.startedAtLine = true;
    if (this.pending) this.complete(this.pending);
    this.pending = next;
  }

  /** Call once after the last line. */
  end(): void {
    if (this.pending) this.complete(this.pending);
    this.pending = null;
    this.flushHeld(true);
    this.endRun();
  }

  /** True while an event's time waits for the file's date order or syslog year. */
  private open(ev: Pending): boolean {
    if (ev.gui !== undefined && ev.order === null && !ev.gui.date.yearFirst && this.order === null) return true;
    return ev.syslog !== undefined && ev.time === null && this.syslogBase === null;
  }

  private complete(ev: Pending): void {
    if (this.held.length === 0 && !this.open(ev)) {
      this.finish(ev);
      return;
    }
    if (ev === this.counted) ev = { ...ev };
    this.held.push(ev);
    if (ev.syslog !== undefined && ev.time === null) this.heldSys = true;
    else if (ev.gui !== undefined && ev.order === null && !ev.gui.date.yearFirst) this.heldGui = true;
    const waiting = (this.heldGui && this.order === null) || (this.heldSys && this.syslogBase === null);
    if (!waiting || this.held.length >= MAX_HELD_EVENTS) this.flushHeld(false);
  }

  private flushHeld(atEnd: boolean): void {
    if (this.held.length === 0) return;
    const where = atEnd ? '' : ` in the first ${MAX_HELD_EVENTS} events`;
    const firstGui = this.held.find((h) => h.gui !== undefined && h.order === null && !h.gui.date.yearFirst);
    if (this.order === null && firstGui) {
      this.order = priorOf(firstGui.gui!.date);
      this.onProblem({
        source: this.source,
        line: firstGui.line,
        offset: firstGui.offset,
        message: `GUI dates are ambiguous (day and month both <= 12${where}); read them as ${this.order} — use --date-order to force`,
      });
    }
    const firstSys = this.held.find((h) => h.syslog !== undefined && h.time === null);
    if (this.syslogBase === null && firstSys) {
      const last = [...this.held].reverse().find((h) => h.syslog !== undefined)!.syslog!;
      const now = new Date();
      let y = now.getFullYear();
      // The newest line cannot be in the future: if its month/day is after today, it is last year's.
      if (last.mo * 100 + last.d > (now.getMonth() + 1) * 100 + now.getDate() + 1) y--;
      this.syslogBase = y - last.roll;
      this.onProblem({
        source: this.source,
        line: firstSys.line,
        offset: firstSys.offset,
        message: `syslog lines carry no year and the file gives none${where}; assumed ${this.syslogBase}`,
      });
    }
    const held = this.held;
    this.held = [];
    this.heldGui = false;
    this.heldSys = false;
    for (const h of held) this.finish(h);
  }

  /** Resolves the time of an event (GUI order, syslog year) and emits it. */
  private finish(ev: Pending): void {
    let time = this.resolve(ev);
    if (time !== null && !ev.inherited) time = this.checkClock(time, ev);
    else if (time !== null && this.zone) time = this.inheritedZone(time, ev);
    this.deliver(ev, time);
  }

  /** Hands a finished event, with its final time, to its consumer. */
  private deliver(ev: Pending, time: string | null): void {
    if (ev.kind !== undefined && this.onRun !== null) {
      if (ev.kind === this.runKind && time === this.runTime && this.runLength > 0) this.runLength++;
      else {
        this.endRun();
        this.runKind = ev.kind;
        this.runTime = time;
        this.runLength = 1;
      }
      return;
    }
    if (ev.kind !== undefined && this.onCounted) {
      this.onCounted(ev.kind, time, ev.line, ev.fields);
      return;
    }
    if (this.absorbs(ev, time)) return;
    this.endRun();
    const c =
      ev.kind === undefined ? classify(ev.text, !this.opts.kindsOnly)
      : ev.fields === null ? { kind: ev.kind, fields: {} as Fields }
      : ev.fields === CLASSIFY_TEXT ? classify(ev.text, true)
      : { kind: ev.kind, fields: ev.fields };
    const fields: Fields = c.fields;
    if (ev.pacsName !== undefined) fields.pacsName = ev.pacsName;
    this.emit({ source: this.source, line: ev.line, offset: ev.offset, time, kind: c.kind, text: ev.text, fields });
  }

  private resolve(ev: Pending): string | null {
    if (ev.time !== null) return ev.time;
    if (ev.gui) {
      const src = ev.from ?? ev;
      const order = src.order ?? this.order ?? priorOf(ev.gui.date);
      const t = guiIso(ev.gui.date, order, ev.gui.h, ev.gui.mi, ev.gui.s);
      if (t === null && !ev.inherited) {
        this.onProblem({
          source: this.source,
          line: ev.line,
          offset: ev.offset,
          message: `GUI date is not a valid ${order} date; time left null`,
        });
      }
      ev.time = t;
      return t;
    }
    if (ev.syslog && this.syslogBase !== null) {
      const s = ev.syslog;
      ev.time = isoLocal(this.syslogBase + s.roll, s.mo, s.d, s.h, s.mi, s.s);
      return ev.time;
    }
    return null;
  }

  /** The offset an inherited time gets: the one its source event got. */
  private readonly inheritedOffsets = new WeakMap<Pending, string>();
  private inheritedZone(time: string, ev: Pending): string {
    const o = ev.from ? this.inheritedOffsets.get(ev.from) : undefined;
    return o !== undefined ? time + o : this.zone!.map(time);
  }

  /**
   * Reports a clock that jumps back (DST, a reset); events keep their file order regardless.
   * Under `--tz` it also picks the offset: in a repeated hour, the first offset that does not put
   * the event before the previous one (so the second pass after the fall-back gets the later offset).
   */
  private checkClock(time: string, ev: Pending): string {
    const ms = time === this.lastTime ? this.lastTimeMs : wallMs(time);
    if (this.lastTime !== null && ms < this.lastTimeMs - CLOCK_JUMP_MS) {
      this.clockProblem(ev, this.clockWhy(this.lastTime, time, ms));
    }
    this.lastTime = time;
    this.lastTimeMs = ms;
    if (!this.zone) return time;
    const c = this.zone.candidates(time);
    let off = c.offsets[0]!;
    if (c.gap) {
      this.clockProblem(ev, `${time} does not exist in ${this.zone.zone} (skipped by the DST change); read with the offset before the change`);
    } else if (c.offsets.length > 1) {
      const stated = ev.zone !== undefined ? c.offsets.find((o) => fmtOffset(o) === ev.zone) : undefined;
      if (stated !== undefined) off = stated;
      else if (this.lastInstant !== null) {
        const pick = c.offsets.find((o) => ms - o * 60000 >= this.lastInstant! - CLOCK_JUMP_MS);
        if (pick !== undefined) off = pick;
      }
    }
    this.lastInstant = ms - off * 60000;
    const o = fmtOffset(off);
    this.inheritedOffsets.set(ev, o);
    return time + o;
  }

  private clockWhy(from: string, to: string, ms: number): string {
    const back = Math.round((this.lastTimeMs - ms) / 1000);
    const span = back >= 3600 * 48 ? `${Math.round(back / 86400)} days` : back >= 5400 ? `${Math.round(back / 360) / 10} hours` : `${Math.round(back / 60)} minutes`;
    let why = 'clock reset';
    if (this.zone && this.zone.candidates(to).offsets.length > 1 && back <= 3600 + CLOCK_JUMP_MS / 1000) why = `DST change in ${this.zone.zone}`;
    else if (back >= 3540 && back <= 3660) why = 'DST change or clock reset';
    return `clock jumps back ${span}, from ${from} to ${to} (${why}); events kept in file order`;
  }

  private clockProblem(ev: Pending, message: string): void {
    this.clockReports++;
    if (this.clockReports <= MAX_CLOCK_REPORTS) {
      this.onProblem({ source: this.source, line: ev.line, offset: ev.offset, message });
    } else if (this.clockReports === MAX_CLOCK_REPORTS + 1) {
      this.onProblem({ source: this.source, line: ev.line, offset: ev.offset, message: `more clock problems; not reported further` });
    }
  }
}

function yearOf(iso: string): number {
  return (iso.charCodeAt(0) - 48) * 1000 + (iso.charCodeAt(1) - 48) * 100 + (iso.charCodeAt(2) - 48) * 10 + (iso.charCodeAt(3) - 48);
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}
