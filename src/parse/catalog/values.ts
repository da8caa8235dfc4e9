/**
 * Value kinds of the catalog: turning captured text into typed fields.
 * Object paths follow reference §3 (FileNameSyntax 3/4 and the UID trees of 6–9).
 */
import type { Fields, FieldValue } from '../event.js';
import { parseCtime } from '../prefix.js';
import type { ValueKind } from './types.js';

export function unescapeSql(s: string): string {
  return s.indexOf("''") === -1 ? s : s.replace(/''/g, "'");
}

const WHERE_PAIR = /([A-Za-z_][\w.]*)\s*=\s*'((?:[^']|'')*)'/g;

/** `StudyInsta = '1.2' AND SeriesPat = 'X'` → [{column, value}], SQL quotes unescaped. */
export function parseWhere(where: string): { column: string; value: string }[] {
  const out: { column: string; value: string }[] = [];
  WHERE_PAIR.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = WHERE_PAIR.exec(where)) !== null) out.push({ column: m[1]!, value: unescapeSql(m[2]!) });
  return out;
}

const UID = /^\d+(?:\.\d+)+$/;
/** `<SeriesUID>_<series>_<image>_<unix time><counter>.dcm|.v2` (syntax 3/4, dgatefn.cpp). */
const FN34_FAST = /^([0-9.]+)_(-?\d+)_(-?\d+)_(\d{9,10})([0-9a-f]{4})\.(?:dcm|v2)$/i;
const FN34 = /^(?<series>[0-9.]+)_(?<sn>-?\d+)_(?<in>-?\d+)_(?<t>\d{9,10})(?<ctr>[0-9a-f]{4})\.(?:dcm|v2)$/i;
/** `<series>_<image>_<time>.v2` or `%04d_%06d_%u%04x.v2` (syntaxes 0/1). */
const FN01 = /^(?<sn>-?\d+)_(?<in>-?\d+)_(?<t>\d+)\.(?:dcm|v2)$/i;

export interface ConquestPath {
  /** The MAG device root, with its trailing separator; null for relative paths. */
  deviceRoot: string | null;
  patientFolder: string | null;
  seriesUid: string | null;
  seriesNumber: number | null;
  imageNumber: number | null;
  /** The `time(NULL)` token of syntax 3/4: when the name was made (UTC seconds). */
  fileTime: number | null;
  counter: number | null;
  studyUid: string | null;
  sopUid: string | null;
  /** Which FileNameSyntax family the name fits: `3/4`, `6/8`, `7/9`, `0/1`, or null. */
  fileNameSyntax: string | null;
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p);
}

/** Splits a Windows or POSIX object path into the identifiers it encodes (reference §3). */
export function parseConquestPath(raw: string): ConquestPath {
  const p = raw.trim();
  const out: ConquestPath = {
    deviceRoot: null,
    patientFolder: null,
    seriesUid: null,
    seriesNumber: null,
    imageNumber: null,
    fileTime: null,
    counter: null,
    studyUid: null,
    sopUid: null,
    fileNameSyntax: null,
  };
  // Fast path for the common syntax 3/4 name: no split, positional groups. One backward scan finds
  // the last two separators (two lastIndexOf calls per separator would scan the whole path four times).
  let last = -1;
  let prev = -1;
  for (let i = p.length - 1; i >= 0; i--) {
    const c = p.charCodeAt(i);
    if (c === 47 || c === 92) {
      if (last === -1) last = i;
      else {
        prev = i;
        break;
      }
    }
  }
  const f34 = FN34_FAST.exec(last === -1 ? p : p.slice(last + 1));
  if (f34) {
    out.fileNameSyntax = '3/4';
    out.seriesUid = f34[1]!;
    out.seriesNumber = Number(f34[2]);
    out.imageNumber = Number(f34[3]);
    out.fileTime = Number(f34[4]);
    out.counter = parseInt(f34[5]!, 16);
    if (last > 0) {
      out.patientFolder = p.slice(prev + 1, last);
      if (prev >= 0 && (prev > 0 || isAbsolute(p))) out.deviceRoot = p.slice(0, prev + 1);
      else if (prev === 0) out.deviceRoot = p.slice(0, 1);
    }
    return out;
  }
  const segs = p.split(/[\\/]/);
  const base = segs[segs.length - 1] ?? '';
  const abs = isAbsolute(p);
  // Length of the prefix of `p` made of the first `n` segments plus their separators.
  const prefixLen = (n: number): number => {
    let len = 0;
    for (let i = 0; i < n; i++) len += segs[i]!.length + 1;
    return len;
  };
  const m34 = FN34.exec(base);
  if (m34 && m34.groups) {
    const g = m34.groups;
    out.fileNameSyntax = '3/4';
    out.seriesUid = g.series!;
    out.seriesNumber = Number(g.sn);
    out.imageNumber = Number(g.in);
    out.fileTime = Number(g.t);
    out.counter = parseInt(g.ctr!, 16);
    if (segs.length >= 2) {
      out.patientFolder = segs[segs.length - 2]!;
      if (abs || segs.length > 2) out.deviceRoot = p.slice(0, prefixLen(segs.length - 2)) || null;
    }
    return out;
  }
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  if (segs.length >= 3 && UID.test(stem) && UID.test(segs[segs.length - 2]!) && UID.test(segs[segs.length - 3]!)) {
    out.sopUid = stem;
    out.seriesUid = segs[segs.length - 2]!;
    out.studyUid = segs[segs.length - 3]!;
    const n = segs.length;
    if (!abs && n === 3) {
      out.fileNameSyntax = '7/9';
    } else if (n >= 4) {
      out.fileNameSyntax = '6/8';
      out.patientFolder = segs[n - 4]!;
      if (abs || n > 4) out.deviceRoot = p.slice(0, prefixLen(n - 4)) || null;
    }
    return out;
  }
  const m01 = FN01.exec(base);
  if (m01 && m01.groups && segs.length >= 2) {
    out.fileNameSyntax = '0/1';
    out.seriesNumber = Number(m01.groups.sn);
    out.imageNumber = Number(m01.groups.in);
    out.patientFolder = segs[segs.length - 2]!;
    if (abs || segs.length > 2) out.deviceRoot = p.slice(0, prefixLen(segs.length - 2)) || null;
  }
  return out;
}

const DIMSE: Record<string, string> = {
  '0001': 'C-STORE',
  '0020': 'C-FIND',
  '0021': 'C-MOVE',
  '0010': 'C-GET',
  '0030': 'C-ECHO',
  '0fff': 'C-CANCEL',
};

/** Writes field `name` (and any derived fields) for one captured value. */
export function setValue(fields: Fields, name: string, kind: ValueKind, raw: string | undefined): void {
  if (kind === 'flag') {
    fields[name] = raw !== undefined;
    return;
  }
  if (raw === undefined) {
    fields[name] = null;
    return;
  }
  switch (kind) {
    case 'string':
      fields[name] = raw;
      return;
    case 'trim':
      fields[name] = raw.trim();
      return;
    case 'int': {
      const n = Number(raw);
      fields[name] = Number.isFinite(n) ? n : raw;
      return;
    }
    case 'hex': {
      const n = parseInt(raw, 16);
      fields[name] = Number.isFinite(n) ? n : raw;
      return;
    }
    case 'sql':
      fields[name] = unescapeSql(raw);
      return;
    case 'where':
      fields[name] = raw;
      fields.wherePairs = parseWhere(raw) as unknown as FieldValue;
      return;
    case 'ctime':
      fields[name] = parseCtime(raw) ?? raw;
      return;
    case 'dimse':
      fields[name] = raw;
      fields.commandName = DIMSE[raw.toLowerCase()] ?? null;
      return;
    case 'ipv4le': {
      fields[name] = raw;
      if (/^[0-9a-f]{8}$/i.test(raw)) {
        const b = [6, 4, 2, 0].map((i) => parseInt(raw.slice(i, i + 2), 16));
        fields.ip = b.join('.');
      }
      return;
    }
    case 'path': {
      fields[name] = raw;
      const c = parseConquestPath(raw);
      fields.deviceRoot = c.deviceRoot;
      fields.patientFolder = c.patientFolder;
      fields.seriesUid = c.seriesUid;
      fields.seriesNumber = c.seriesNumber;
      fields.imageNumber = c.imageNumber;
      fields.fileTime = c.fileTime;
      fields.counter = c.counter;
      fields.studyUid = c.studyUid;
      fields.sopUid = c.sopUid;
      fields.fileNameSyntax = c.fileNameSyntax;
      return;
    }
  }
}
