/**
 * Turns the physical lines of one source into events: prefix parsing, continuation lines,
 * messages glued to the next one, GUI day/month order, syslog years, `--tz`, and clock jumps.
 * Events are emitted strictly in file order: a clock that jumps back never reorders them.
 */
import type { Fields, LogEvent, ProblemSink } from './event.js';
import { classify } from './catalog/index.js';
import { findGluedPrefix, isoLocal, parsePrefix, type ParsedPrefix } from './prefix.js';
import { evidenceOf, guiIso, priorOf, type DateOrder } from './dateOrder.js';
import { wallMs, ZoneMapper } from './timezone.js';

export interface AssembleOptions {
  /** Forces the day/month order of GUI dates. */
  dateOrder?: DateOrder;
  /** IANA zone: times get its UTC offset. */
  tz?: string;
  /** Year for syslog lines, which carry none (default: from other lines, else the current year). */
  syslogYear?: number;
  /** Skip field extraction (stats only needs kinds). */
  kindsOnly?: boolean;
}

/** GUI lines held back while a file has not yet shown its day/month order. */
export const MAX_HELD_EVENTS = 5000;
/** A backwards step larger than this is reported as a clock jump. */
export const CLOCK_JUMP_MS = 60_000;
/** Continuation lines joined to one event at most; further ones become their own events. */
export const MAX_CONTINUATION_LINES = 1000;

interface Pending {
  line: number;
  offset: number;
  time: string | null;
  gui: ParsedPrefix['gui'];
  pacsName: string | undefined;
  text: string;
  parts: number;
  /** Set when the time was taken from the previous event (bare line, no prefix of its own). */
  inherited: boolean;
}

export class EventAssembler {
  private pending: Pending | null = null;
  private held: Pending[] = [];
  private order: DateOrder | null;
  /** True once the source has shown a prefixed (timestamped) line: bare lines are then continuations. */
  private timedRun = false;
  private lastTime: string | null = null;
  private lastTimeMs = 0;
  private maxYear: number | null = null;
  private readonly zone: ZoneMapper | null;
  private foldUntilMs = 0;
  private lastWasFold = false;
  private jumps = 0;

  constructor(
    private readonly source: string,
    private readonly opts: AssembleOptions,
    private readonly emit: (e: LogEvent) => void,
    private readonly onProblem: ProblemSink,
  ) {
    this.order = opts.dateOrder ?? null;
    this.zone = opts.tz ? new ZoneMapper(opts.tz) : null;
  }

  line(raw: string, offset: number, lineNo: number): void {
    const p = parsePrefix(raw);
    if (p.shape === 'none') {
      this.bare(p, offset, lineNo);
      return;
    }
    this.timedRun = true;
    let time = p.time;
    if (p.shape === 'syslog' && p.syslog) {
      const s = p.syslog;
      time = isoLocal(this.opts.syslogYear ?? this.maxYear ?? new Date().getFullYear(), s.mo, s.d, s.h, s.mi, s.s);
    }
    if (time !== null) {
      const y = Number(time.slice(0, 4));
      if (this.maxYear === null || y > this.maxYear) this.maxYear = y;
    }
    if (p.gui && this.order === null) {
      const ev = evidenceOf(p.gui.date);
      if (ev && ev !== 'ymd') this.order = ev;
    }
    this.start({ line: lineNo, offset, time, gui: p.gui, pacsName: p.pacsName, text: p.msg, parts: 1, inherited: false });
  }

  /** A line with no prefix: a continuation, a glued pair, or (in untimestamped logs) a message of its own. */
  private bare(p: ParsedPrefix, offset: number, lineNo: number): void {
    const text = p.msg;
    const cur = this.pending;
    if (p.pacsName !== undefined || !this.timedRun || !cur) {
      this.start({ line: lineNo, offset, time: null, gui: undefined, pacsName: p.pacsName, text, parts: 1, inherited: false });
      return;
    }
    // Reference §1.6: `…not allowed or known\n: %s` has no newline, so the next message is glued on.
    const glued = findGluedPrefix(text);
    const head = glued === -1 ? text : text.slice(0, glued);
    if (classify(head, false).kind !== 'unknown' && !/^\s*$/.test(head) && glued !== 0) {
      // A message that starts a line of its own without a timestamp (e.g. `***Client Error` after `\n`).
      this.start({ line: lineNo, offset, time: cur.time, gui: cur.gui, pacsName: cur.pacsName, text: head, parts: 1, inherited: true });
    } else if (cur.parts < MAX_CONTINUATION_LINES) {
      cur.text += '\n' + head;
      cur.parts++;
    } else {
      this.start({ line: lineNo, offset, time: cur.time, gui: cur.gui, pacsName: cur.pacsName, text: head, parts: 1, inherited: true });
    }
    if (glued !== -1) {
      const rest = parsePrefix(text.slice(glued));
      const byteOffset = offset + Buffer.byteLength(text.slice(0, glued), 'latin1');
      this.start({ line: lineNo, offset: byteOffset, time: rest.time, gui: rest.gui, pacsName: rest.pacsName, text: rest.msg, parts: 1, inherited: false });
    }
  }

  private start(next: Pending): void {
    if (this.pending) this.complete(this.pending);
    this.pending = next;
  }

  end(): void {
    if (this.pending) this.complete(this.pending);
    this.pending = null;
    this.flushHeld(true);
  }

  private complete(ev: Pending): void {
    const undecided = ev.gui !== undefined && this.order === null && !ev.gui.date.yearFirst;
    if (undecided || this.held.length > 0) {
      this.held.push(ev);
      if (this.order !== null || this.held.length >= MAX_HELD_EVENTS) this.flushHeld(false);
      return;
    }
    this.finish(ev);
  }

  private flushHeld(atEnd: boolean): void {
    if (this.held.length === 0) return;
    if (this.order === null) {
      const first = this.held.find((h) => h.gui)?.gui;
      this.order = first ? priorOf(first.date) : 'dmy';
      this.onProblem({
        source: this.source,
        line: this.held[0]!.line,
        offset: this.held[0]!.offset,
        message: `GUI dates are ambiguous (day and month both <= 12${atEnd ? '' : ` in the first ${MAX_HELD_EVENTS} lines`}); read them as ${this.order} — use --date-order to force`,
      });
    }
    const held = this.held;
    this.held = [];
    for (const h of held) this.finish(h);
  }

  private finish(ev: Pending): void {
    let time = ev.time;
    if (ev.gui) {
      time = guiIso(ev.gui.date, this.order ?? priorOf(ev.gui.date), ev.gui.h, ev.gui.mi, ev.gui.s);
      if (time === null) {
        this.onProblem({ source: this.source, line: ev.line, offset: ev.offset, message: 'GUI date is not a valid date in the chosen day/month order; time left null' });
      }
    }
    if (time !== null && !ev.inherited) this.checkClock(time, ev);
    const c = classify(ev.text, !this.opts.kindsOnly);
    const fields: Fields = c.fields;
    if (ev.pacsName !== undefined && !this.opts.kindsOnly) fields.pacsName = ev.pacsName;
    if (time !== null && this.zone) time = this.zone.map(time, this.lastWasFold);
    this.emit({ source: this.source, line: ev.line, offset: ev.offset, time, kind: c.kind, text: ev.text, fields });
  }

  /** Reports a clock that jumps back (DST, a reset); events keep their file order regardless. */
  private checkClock(time: string, ev: Pending): void {
    if (this.lastTime !== null && time < this.lastTime) {
      const ms = wallMs(time);
      const back = this.lastTimeMs - ms;
      if (back > CLOCK_JUMP_MS) {
        this.jumps++;
        if (this.jumps <= 20) {
          this.onProblem({
            source: this.source,
            line: ev.line,
            offset: ev.offset,
            message: `clock jumps back from ${this.lastTime} to ${time} (DST change or clock reset); events kept in file order`,
          });
        }
        // A jump back of about an hour is the DST fold: the repeated hour uses the later offset.
        if (back > 30 * 60e3 && back <= 90 * 60e3) this.foldUntilMs = this.lastTimeMs;
      }
      this.lastTime = time;
      this.lastTimeMs = ms;
      this.lastWasFold = ms <= this.foldUntilMs;
      return;
    }
    if (time !== this.lastTime) {
      this.lastTime = time;
      this.lastTimeMs = wallMs(time);
      this.lastWasFold = this.lastTimeMs <= this.foldUntilMs;
    }
  }
}
