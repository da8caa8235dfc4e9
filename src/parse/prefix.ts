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
  /** The UTC offset a journald `short-iso` line states (`+01:00`); used under `--tz` to pick a repeated hour. */
  zone?: string;
  /** The host named by a syslog/journald prefix. */
  host?: string;
  pacsName?: string;
  /** The message without prefix. */
  msg: string;
}

const MONTHS: Record<string, number> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function digits(s: string, from: number, n: number): boolean {
  for (let i = from; i < from + n; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}
function p2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}
export function isoLocal(y: number, mo: number, d: number, h: number, mi: number, s: number): string {
  return `${y}-${p2(mo)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}`;
}

/** Month number (1-12) of the English abbreviation at `at`, by char codes; 0 when it is none. */
function monthAt(s: string, at: number): number {
  const a = s.charCodeAt(at);
  const b = s.charCodeAt(at + 1);
  const c = s.charCodeAt(at + 2);
  switch (a) {
    case 74: // J
      if (b === 97 && c === 110) return 1; // Jan
      if (b === 117 && c === 110) return 6; // Jun
      if (b === 117 && c === 108) return 7; // Jul
      return 0;
    case 70: // F
      return b === 101 && c === 98 ? 2 : 0; // Feb
    case 77: // M
      if (b === 97 && c === 114) return 3; // Mar
      if (b === 97 && c === 121) return 5; // May
      return 0;
    case 65: // A
      if (b === 112 && c === 114) return 4; // Apr
      if (b === 117 && c === 103) return 8; // Aug
      return 0;
    case 83: // S
      return b === 101 && c === 112 ? 9 : 0; // Sep
    case 79: // O
      return b === 99 && c === 116 ? 10 : 0; // Oct
    case 78: // N
      return b === 111 && c === 118 ? 11 : 0; // Nov
    case 68: // D
      return b === 101 && c === 99 ? 12 : 0; // Dec
    default:
      return 0;
  }
}

/** True when the three characters at `at` are an English weekday abbreviation (char codes only). */
function isWeekdayAt(s: string, at: number): boolean {
  const a = s.charCodeAt(at);
  const b = s.charCodeAt(at + 1);
  const c = s.charCodeAt(at + 2);
  switch (a) {
    case 77: // Mon
      return b === 111 && c === 110;
    case 84: // Tue Thu
      return (b === 117 && c === 101) || (b === 104 && c === 117);
    case 87: // Wed
      return b === 101 && c === 100;
    case 70: // Fri
      return b === 114 && c === 105;
    case 83: // Sat Sun
      return (b === 97 && c === 116) || (b === 117 && c === 110);
    default:
      return false;
  }
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
  return s.slice(at, at + 4) + '-' + s.slice(at + 4, at + 6) + '-' + s.slice(at + 6, at + 8) + 'T' + s.slice(at + 9, at + 17);
}

/** `Wed Jul  2 14:03:05 2020 ` (Linux ctime, §1.1). Returns the message start or -1. */
function matchCtime(s: string, at: number): number {
  if (s.length < at + 24) return -1;
  if (s.charCodeAt(at + 3) !== 32 || s.charCodeAt(at + 7) !== 32 || s.charCodeAt(at + 10) !== 32) return -1;
  if (s.charCodeAt(at + 13) !== 58 || s.charCodeAt(at + 16) !== 58 || s.charCodeAt(at + 19) !== 32) return -1;
  if (!digits(s, at + 20, 4) || !digits(s, at + 11, 2) || !digits(s, at + 14, 2) || !digits(s, at + 17, 2)) return -1;
  const d0 = s.charCodeAt(at + 8);
  if (!(d0 === 32 || isDigit(d0)) || !isDigit(s.charCodeAt(at + 9))) return -1;
  if (!isWeekdayAt(s, at) || monthAt(s, at + 4) === 0) return -1;
  if (s.length === at + 24) return at + 24;
  return s.charCodeAt(at + 24) === 32 ? at + 25 : -1;
}
function ctimeTime(s: string, at: number): string {
  const mo = monthAt(s, at + 4);
  const d0 = s.charCodeAt(at + 8);
  const d = (d0 === 32 ? 0 : (d0 - 48) * 10) + (s.charCodeAt(at + 9) - 48);
  return s.slice(at + 20, at + 24) + '-' + p2(mo) + '-' + p2(d) + 'T' + s.slice(at + 11, at + 19);
}

/** Parses a ctime string such as the `STARTED AT: %s` argument; null when it is not one. */
export function parseCtime(s: string): string | null {
  const t = s.trim();
  return matchCtime(t, 0) >= 0 ? ctimeTime(t, 0) : null;
}

/**
 * The GUI's `DateToStr(Date) + ' ' + TimeToStr(Time)` (§1.3 P3): locale dependent, so tolerant.
 * `22-7-2020 14:03:05`, `7/22/2020 2:03:05 PM`, `2024/4/26 13:53:38`, `22.10.2022 22:38:45`,
 * `22/07/20 14:03`, `7/22/2020 2:03:05 a.m.`. The separator must be the same twice.
 */
const GUI_RE = /^(\d{1,4})([-./])(\d{1,2})\2(\d{1,4}) (\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AaPp])\.?[Mm]\.?)?(?: |$)/;
/**
 * Classic syslog and journalctl `-o short` / `short-precise`: `Nov 27 19:36:24[.123456] host prog[pid]: msg`.
 * journalctl `-o short-full`: `Fri 2026-11-27 19:36:24 CET host prog[pid]: msg` (full date: shape `iso`).
 */
const SYSLOG_RE = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]\d) (\d\d):(\d\d):(\d\d)(?:\.\d+)? (\S+) ([^\s:[]+)(?:\[\d+\])?: ?/;
const FULL_RE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.\d+)? (?:[A-Za-z][A-Za-z0-9_+-]*|[+-]\d{2,4}) (\S+) ([^\s:[]+)(?:\[\d+\])?: ?/;
/** journalctl `-o short-iso` / `short-iso-precise`: `2026-11-27T19:36:24[.123456]+0100 host prog[pid]: msg`. */
const ISO_RE = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,]\d+)?(Z|[+-]\d\d:?\d\d)? (\S+) ([^\s:[]+)(?:\[\d+\])?: ?/;

/** Longest `[PACSName]` accepted (reference §1.9: `[^\]]{0,64}`). */
const MAX_SRC = 64;

/** `[PACSName] ` (§1.1 step 2). Returns [name, rest start] or null. A name may contain spaces, not `]`. */
function matchSrc(s: string, at: number): [string, number] | null {
  if (s.charCodeAt(at) !== 91) return null; // '['
  const limit = Math.min(s.length, at + 2 + MAX_SRC);
  for (let i = at + 1; i < limit; i++) {
    if (s.charCodeAt(i) !== 93) continue; // ']'
    if (i + 1 === s.length) return [s.slice(at + 1, i), s.length]; // `[X]` ending a timestamp-only GUI line
    if (s.charCodeAt(i + 1) === 32) return [s.slice(at + 1, i), i + 2];
    return null;
  }
  return null;
}

/** `+0100`, `+01:00`, `Z` → `+01:00` / `+00:00`. */
function normOffset(z: string): string {
  if (z === 'Z') return '+00:00';
  return z.length === 5 ? z.slice(0, 3) + ':' + z.slice(3) : z;
}

function parseGui(s: string): ParsedPrefix | null {
  const g = GUI_RE.exec(s);
  if (!g) return null;
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
    msg: rest >= s.length ? '' : s.slice(rest),
  };
  if (pacsName !== undefined) out.pacsName = pacsName;
  return out;
}

function journal(shape: 'iso', y: string, mo: string, d: string, h: string, mi: string, sec: string, host: string, len: number, s: string): ParsedPrefix {
  return { shape, time: `${y}-${mo}-${d}T${h}:${mi}:${sec}`, host, msg: s.slice(len) };
}

const NONE_EMPTY: ParsedPrefix = Object.freeze({ shape: 'none', time: null, msg: '' }) as ParsedPrefix;

/** Parses the prefix of one physical line. Order as §1.9: timestamps first, then `[PACSName]`. */
export function parsePrefix(s: string): ParsedPrefix {
  if (s.length === 0) return NONE_EMPTY;
  const c0 = s.charCodeAt(0);
  if (isDigit(c0)) {
    const w = matchWin(s, 0);
    if (w >= 0) return { shape: 'win', time: winTime(s, 0), msg: w >= s.length ? '' : s.slice(w) };
    // A line that merely starts with digits (a UID, a dump, a count) is cheaply rejected: every
    // remaining digit-led shape has a date separator within the first five characters.
    const sep = s.charCodeAt(1) < 48 || s.charCodeAt(2) < 48 || s.charCodeAt(3) < 48 || s.charCodeAt(4) < 48;
    if (!sep) return { shape: 'none', time: null, msg: s };
    if (s.charCodeAt(4) === 45 && s.charCodeAt(10) === 84) {
      const iso = ISO_RE.exec(s);
      if (iso) {
        const out = journal('iso', iso[1]!, iso[2]!, iso[3]!, iso[4]!, iso[5]!, iso[6]!, iso[8]!, iso[0].length, s);
        if (iso[7]) out.zone = normOffset(iso[7]);
        return out;
      }
    }
    const g = parseGui(s);
    if (g) return g;
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
    if (c >= 0) return { shape: 'ctime', time: ctimeTime(s, 0), msg: c >= s.length ? '' : s.slice(c) };
    if (monthAt(s, 0) !== 0 && s.charCodeAt(3) === 32) {
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
          host: sl[6]!,
          msg: s.slice(sl[0].length),
        };
      }
    } else if (isWeekdayAt(s, 0) && s.charCodeAt(3) === 32 && isDigit(s.charCodeAt(4))) {
      const f = FULL_RE.exec(s);
      if (f) return journal('iso', f[1]!, f[2]!, f[3]!, f[4]!, f[5]!, f[6]!, f[7]!, f[0].length, s);
    }
  }
  return { shape: 'none', time: null, msg: s };
}

/**
 * Finds a dgate timestamp glued inside a line (reference §1.6: `Retrieve: move destination not
 * allowed or known\n: %s` has no newline, so the next message follows on the same line:
 * `: NOSUCHAEFri Nov 27 19:36:24 2026 C-Move (PatientRoot)`, `: WRONGAE20200722 14:03:05 C-Move (StudyRoot)`).
 * A sticky `[PACSName] ` (P4) before the glued timestamp belongs to it. The timestamp must be
 * followed by a space: a ctime that ends the line is an argument (`STARTED AT: Fri Nov 27 …`).
 * Returns the index where the embedded prefix starts, or -1.
 */
const GLUED_RE =
  /(?:\[[^\]]{0,64}\] )?(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}|\d{8} \d\d:\d\d:\d\d) /g;
export function findGluedPrefix(s: string, from = 1): number {
  GLUED_RE.lastIndex = from;
  for (;;) {
    const m = GLUED_RE.exec(s);
    if (!m) return -1;
    if (m.index >= from && parsePrefix(s.slice(m.index)).time !== null) return m.index;
    GLUED_RE.lastIndex = m.index + 1;
  }
}

/**
 * Messages that dgate prints without a trailing newline (reference §1.6), so that the next message,
 * timestamp and all, is glued to the same line. Only these are searched for a glued prefix, which
 * keeps the search off the hot path.
 */
const UNTERMINATED = ['*** heap error', '*** HL7 import: cannot open database', 'Update DICOMSeries set SeriesPat', 'Update DICOMImages set ImagePat'];
export function findGluedInMessage(msg: string): number {
  const c = msg.charCodeAt(0);
  if (c !== 42 && c !== 85) return -1; // '*' or 'U'
  for (const u of UNTERMINATED) if (msg.startsWith(u)) return findGluedPrefix(msg, u.length);
  return -1;
}

export { MONTHS };
