/**
 * Line prefix grammars (reference §1.1, §1.3, §1.9). Detection is per line: one file can mix
 * Windows dgate, Linux ctime, GUI locale dates and the sticky `[PACSName]` prefix.
 * Hot path: plain char-code checks, no regex for the two dgate shapes.
 */

export type PrefixShape = 'win' | 'ctime' | 'gui' | 'syslog' | 'iso' | 'none';

/** A GUI date whose day/month order the file decides (reference §1.3 P3). */
export interface GuiDateParts {
  a: number;
  b: number;
  c: number;
  /** True when the first field has four digits: year first. */
  yearFirst: boolean;
  sep: string;
  ampm: boolean;
}

export interface ParsedPrefix {
  shape: PrefixShape;
  /** Local wall-clock time, as `YYYY-MM-DDTHH:MM:SS`, when the shape fixes it. */
  time: string | null;
  /** Set for GUI dates: the resolver turns these into `time`. */
  gui?: { date: GuiDateParts; h: number; mi: number; s: number };
  /** Syslog lines carry no year: month/day/time only. */
  syslog?: { mo: number; d: number; h: number; mi: number; s: number };
  pacsName?: string;
  /** The message without prefix. */
  msg: string;
}

const MONTHS: Record<string, number> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};
const DAYS = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function digits(s: string, from: number, n: number): boolean {
  for (let i = from; i < from + n; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}
function num(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) v = v * 10 + (s.charCodeAt(i) - 48);
  return v;
}
function p2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}
export function isoLocal(y: number, mo: number, d: number, h: number, mi: number, s: number): string {
  return `${y}-${p2(mo)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}`;
}

/** `20200722 14:03:05 ` (Windows dgate, §1.1). Returns the message start or -1. */
function matchWin(s: string, at: number): number {
  if (s.length < at + 17) return -1;
  if (!digits(s, at, 8) || s.charCodeAt(at + 8) !== 32 || !digits(s, at + 9, 2) || s.charCodeAt(at + 11) !== 58) return -1;
  if (!digits(s, at + 12, 2) || s.charCodeAt(at + 14) !== 58 || !digits(s, at + 15, 2)) return -1;
  if (s.length === at + 17) return at + 17;
  return s.charCodeAt(at + 17) === 32 ? at + 18 : -1;
}
function winTime(s: string, at: number): string {
  return `${s.slice(at, at + 4)}-${s.slice(at + 4, at + 6)}-${s.slice(at + 6, at + 8)}T${s.slice(at + 9, at + 17)}`;
}

/** `Wed Jul  2 14:03:05 2020 ` (Linux ctime, §1.1). Returns the message start or -1. */
function matchCtime(s: string, at: number): number {
  if (s.length < at + 24) return -1;
  if (s.charCodeAt(at + 3) !== 32 || s.charCodeAt(at + 7) !== 32 || s.charCodeAt(at + 10) !== 32) return -1;
  if (s.charCodeAt(at + 13) !== 58 || s.charCodeAt(at + 16) !== 58 || s.charCodeAt(at + 19) !== 32) return -1;
  if (!digits(s, at + 20, 4) || !digits(s, at + 11, 2) || !digits(s, at + 14, 2) || !digits(s, at + 17, 2)) return -1;
  const d0 = s.charCodeAt(at + 8);
  if (!(d0 === 32 || isDigit(d0)) || !isDigit(s.charCodeAt(at + 9))) return -1;
  if (!DAYS.has(s.slice(at, at + 3)) || MONTHS[s.slice(at + 4, at + 7)] === undefined) return -1;
  if (s.length === at + 24) return at + 24;
  return s.charCodeAt(at + 24) === 32 ? at + 25 : -1;
}
function ctimeTime(s: string, at: number): string {
  const mo = MONTHS[s.slice(at + 4, at + 7)]!;
  const d0 = s.charCodeAt(at + 8);
  const d = (d0 === 32 ? 0 : (d0 - 48) * 10) + (s.charCodeAt(at + 9) - 48);
  return `${s.slice(at + 20, at + 24)}-${p2(mo)}-${p2(d)}T${s.slice(at + 11, at + 19)}`;
}

/** Parses a ctime string such as the `STARTED AT: %s` argument; null when it is not one. */
export function parseCtime(s: string): string | null {
  const t = s.trim();
  return matchCtime(t, 0) >= 0 ? ctimeTime(t, 0) : null;
}

const GUI_RE = /^(\d{1,4})([-./])(\d{1,2})\2(\d{1,4}) (\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AaPp])\.?[Mm]\.?)?(?: |$)/;
const SYSLOG_RE = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\S+) ([^\s:[]+)(?:\[\d+\])?: ?/;
const ISO_RE = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)? (\S+) ([^\s:[]+)(?:\[\d+\])?: ?/;

/** `[PACSName] ` (§1.1 step 2). Returns [name, rest start] or null. */
function matchSrc(s: string, at: number): [string, number] | null {
  if (s.charCodeAt(at) !== 91) return null; // '['
  const close = s.indexOf('] ', at + 1);
  if (close === -1 || close - at - 1 > 64) {
    if (close === -1 && s.length > at + 1 && s.endsWith(']') && s.length - at - 2 <= 64) return [s.slice(at + 1, -1), s.length];
    return null;
  }
  return [s.slice(at + 1, close), close + 2];
}

/** Parses the prefix of one physical line. Order as §1.9: timestamps first, then `[PACSName]`. */
export function parsePrefix(s: string): ParsedPrefix {
  const c0 = s.charCodeAt(0);
  if (isDigit(c0)) {
    const w = matchWin(s, 0);
    if (w >= 0) return { shape: 'win', time: winTime(s, 0), msg: s.slice(w) };
    const iso = ISO_RE.exec(s);
    if (iso) {
      return {
        shape: 'iso',
        time: `${iso[1]}-${iso[2]}-${iso[3]}T${iso[4]}:${iso[5]}:${iso[6]}`,
        msg: s.slice(iso[0].length),
      };
    }
    const g = GUI_RE.exec(s);
    if (g) {
      const a = g[1]!;
      let h = Number(g[5]);
      const ap = g[8];
      if (ap) {
        const pm = ap === 'P' || ap === 'p';
        if (h === 12) h = pm ? 12 : 0;
        else if (pm) h += 12;
      }
      let rest = g[0].length;
      let pacsName: string | undefined;
      const src = matchSrc(s, rest);
      if (src) {
        pacsName = src[0];
        rest = src[1];
      }
      const out: ParsedPrefix = {
        shape: 'gui',
        time: null,
        gui: {
          date: { a: Number(a), b: Number(g[3]), c: Number(g[4]), yearFirst: a.length === 4, sep: g[2]!, ampm: ap !== undefined },
          h,
          mi: Number(g[6]),
          s: g[7] ? Number(g[7]) : 0,
        },
        msg: s.slice(rest),
      };
      if (pacsName !== undefined) out.pacsName = pacsName;
      return out;
    }
    return { shape: 'none', time: null, msg: s };
  }
  if (c0 === 91) {
    const src = matchSrc(s, 0);
    if (src) {
      const [name, at] = src;
      const w = matchWin(s, at);
      if (w >= 0) return { shape: 'win', time: winTime(s, at), pacsName: name, msg: s.slice(w) };
      const c = matchCtime(s, at);
      if (c >= 0) return { shape: 'ctime', time: ctimeTime(s, at), pacsName: name, msg: s.slice(c) };
      // `[Regen] …`, `[lua] …`: a bracketed word without a timestamp after it is part of the message.
    }
    return { shape: 'none', time: null, msg: s };
  }
  if (c0 >= 65 && c0 <= 90) {
    const c = matchCtime(s, 0);
    if (c >= 0) return { shape: 'ctime', time: ctimeTime(s, 0), msg: s.slice(c) };
    const sl = SYSLOG_RE.exec(s);
    if (sl) {
      const d = sl[2]!;
      return {
        shape: 'syslog',
        time: null,
        syslog: {
          mo: MONTHS[sl[1]!]!,
          d: Number(d.trim()),
          h: Number(sl[3]),
          mi: Number(sl[4]),
          s: Number(sl[5]),
        },
        msg: s.slice(sl[0].length),
      };
    }
  }
  return { shape: 'none', time: null, msg: s };
}

/**
 * Finds a dgate timestamp glued inside a line (reference §1.6: `Retrieve: move destination not
 * allowed or known\n: %s` has no newline, so the next message follows on the same line).
 * Returns the index where the embedded prefix starts, or -1.
 */
const GLUED_RE =
  /(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4} |\d{8} \d\d:\d\d:\d\d /;
export function findGluedPrefix(s: string): number {
  const m = GLUED_RE.exec(s);
  if (!m || m.index === 0) return -1;
  return m.index;
}

export { MONTHS };
