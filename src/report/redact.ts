/**
 * `--redact` (issue 3, item 8): patient IDs and BSNs become `P-` + 8 hex digits of an HMAC-SHA256,
 * keyed by CQLOG_REDACT_KEY or by a key file made on first use in the per-user config folder, so the
 * same ID always gets the same pseudonym on that machine. Patient names in the consistency lines
 * become `N-…` the same way. Used by every output that prints log content.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Fields, FieldValue, LogEvent } from '../parse/event.js';
import { looksLikeBsn } from '../common/bsn.js';
import { configDir } from '../common/userDirs.js';

/** Known IDs kept for token replacement; beyond this the oldest are forgotten (BSNs are still caught by shape). */
export const MAX_KNOWN_IDS = 200_000;

export function redactKeyFile(): string {
  return path.join(configDir(), 'redact.key');
}

/** The HMAC key: CQLOG_REDACT_KEY, else the key file, created (random, mode 0600) on first use. */
export function loadRedactKey(): Buffer {
  const env = process.env.CQLOG_REDACT_KEY;
  if (env && env.length > 0) return Buffer.from(env, 'utf8');
  const file = redactKeyFile();
  let existing: string | null = null;
  try {
    existing = readFileSync(file, 'utf8').trim();
  } catch {
    /* first use */
  }
  // A key file the user wrote is theirs, however short: replacing it would change every pseudonym.
  if (existing !== null && existing.length > 0) return Buffer.from(existing, 'utf8');
  const k = randomBytes(32).toString('hex');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, k + '\n', { mode: 0o600, flag: 'w' });
  return Buffer.from(k, 'utf8');
}

/** Field names whose values are patient identifiers. */
const ID_FIELDS = new Set(['patientId', 'patientFolder', 'old', 'refused', 'oldValue', 'refusedValue']);
/** WHERE columns holding a PatientID (short and long dicom.sql names, reference §4.2). */
const ID_COLUMN_NAMES = 'PatientID|SeriesPat|ImagePat|StudyPat|PatientPat';
const ID_COLUMNS = new RegExp(`^(?:${ID_COLUMN_NAMES})$`, 'i');
/** Consistency columns holding a name or birth date. */
const NAME_COLUMNS = /^(PatientNam|PatientName|PatientBir|PatientBirthDate|ReferPhysi|ReferringPhysicianName)/i;

const INCONSISTENT_VALUES = /Inconsistent (\S+)( in \S+: .*)$/;
const DUMP_NAME = /^(\s*>*0010,00(?:10|30) +\d+ [A-Z]{2} \S+ +)(.+)$/;

const TOKEN = /[A-Za-z0-9][A-Za-z0-9._^-]*/g;
/** An ID that is one TOKEN is replaced as a token; any other (a space, `+`, a letter above 127) as a literal. */
const WHOLE_TOKEN = /^[A-Za-z0-9][A-Za-z0-9._^-]*$/;
/**
 * A DICOM file path in free text (reference §3: under FileNameSyntax 3/4, the default, the file's
 * folder is the patient's): `D:\data\X\f.dcm`, `/opt/conquest/data/X/f.dcm`, or a relative `X\f.v2`.
 * Groups: what precedes the folder (a drive or root and at least one folder, or nothing), the folder.
 */
const FILE_PATH = /((?:[A-Za-z]:)?[\\/]?(?:[^\s\\/:'"()]+[\\/])*?)([^\s\\/:'"()]+)([\\/][^\s\\/:'"()]+\.(?:dcm|v2))(?![A-Za-z0-9])/gi;
/** A folder that is a UID (FileNameSyntax 7/9/11 study folders), not a patient. */
const UID_FOLDER = /^\d+(?:\.\d+){2,}$/;
const HAS_FILE_NAME = /\.(?:dcm|v2)/i;
/**
 * A run of 9 digits inside a longer token (`DEVRIES_JAN_111222333`, `244000001.dcm`), not a part of a
 * dotted UID (`…2156913941.892665384.993397`): checked against the 11-check like a whole token.
 */
const BSN_RUN = /(?<![\d]|\d\.)\d{9}(?![\d]|\.\d)/g;
/**
 * A quoted value of a PatientID column anywhere in a line, with or without its table: the debug SQL
 * trace (`Values: DICOMStudies.PatientID = 'X'`, `Where : DICOMPatients.PatientID = 'X'`) names
 * IDs that no event field carries. A wildcard query writes `LIKE` (`PatientID LIKE '1234%'`), a
 * PostgreSQL server an `E` before the quote. Groups: up to the opening quote, the operator; the
 * value is read by quotedEnd (a regular expression cannot tell `\\'` in `E'…'` from an end quote).
 */
const ID_COLUMN_VALUE = new RegExp(`\\b((?:DICOM\\w+\\.)?(?:${ID_COLUMN_NAMES})\\)?\\s*(=|LIKE)\\s*E?')`, 'gi');
/** The name and birth-date columns in the same trace (short and long dicom.sql names), with `UPPER(…)` for a case-blind query. */
const NAME_COLUMN_VALUE = /\b((?:DICOM\w+\.)?(?:PatientNam|PatientBir|ReferPhysi)\w*\)?\s*(=|LIKE)\s*E?')/gi;
const INSERT_HINT = /insert into/i;
/** Every PatientID column name holds it: a text without it has no column value to learn. */
const PAT_HINT = /pat/i;
/** The wildcards and separators of a LIKE pattern (`%`, `_`, `*`, `?`, `[_]` escapes, `\\` between IDs). */
const LIKE_WILDCARDS = /[%_*?[\]\\]+/;

/**
 * The debug trace of a failed insert (`***SQL: INSERT INTO DICOMStudies (StudyInsta, …, PatientID,
 * PatientNam, …) VALUES ('…', …, '12345678', 'DOE^JOHN', …)`, reference §2 `***Unable to DB.Add()`):
 * the values stand apart from their column names, cut at 1,000 characters. Groups: the column list,
 * the values.
 */
const SQL_INSERT = /\bINSERT INTO \w+ \(([^)]*)\) VALUES \((.*)$/i;

/** One value of an INSERT's VALUES list: its text span (quotes excluded) and how to read it. */
interface ValueSpan {
  start: number;
  end: number;
  /** False for the last value of a statement cut at 1,000 characters: it may be a part of a value. */
  closed: boolean;
  /** PostgreSQL's `E'…'`: backslash escapes inside. */
  escaped: boolean;
}

/**
 * Where a quoted value that starts at `start` ends: the index of its closing quote, or the end of
 * the text when it has none (a statement cut at 1,000 characters). `''` is a quote inside the
 * value; in PostgreSQL's `E'…'` so is `\\'`.
 */
function quotedEnd(s: string, start: number, escaped: boolean): { end: number; closed: boolean } {
  let i = start;
  while (i < s.length) {
    if (escaped && s[i] === '\\') i += 2;
    else if (s[i] === "'" && s[i + 1] === "'") i += 2;
    else if (s[i] === "'") return { end: i, closed: true };
    else i++;
  }
  return { end: s.length, closed: false };
}

/**
 * Replaces the quoted value after each match of `head` (a global pattern ending at the opening
 * quote; groups: the head, the operator) by `fn`'s text, keeping the quotes; an unclosed value
 * (a cut statement) is replaced to the end of the text.
 */
function replaceQuoted(s: string, head: RegExp, fn: (op: string, raw: string, escaped: boolean, closed: boolean) => string): string {
  head.lastIndex = 0;
  let out = '';
  let at = 0;
  for (let m = head.exec(s); m !== null; m = head.exec(s)) {
    const escaped = /E'$/i.test(m[1]!);
    const start = m.index + m[0].length;
    const { end, closed } = quotedEnd(s, start, escaped);
    out += s.slice(at, start) + fn(m[2]!, s.slice(start, end), escaped, closed);
    at = end;
    head.lastIndex = end + 1;
  }
  return at === 0 ? s : out + s.slice(at);
}

/** The values of an INSERT's VALUES list, in order: `'…'` (with `''`), `E'…'` (with `\\x`), or bare. */
function insertValueSpans(s: string, from: number): ValueSpan[] {
  const spans: ValueSpan[] = [];
  let i = from;
  while (i < s.length) {
    while (s[i] === ' ') i++;
    const escaped = (s[i] === 'E' || s[i] === 'e') && s[i + 1] === "'";
    if (escaped) i++;
    if (s[i] === "'") {
      const start = ++i;
      const { end, closed } = quotedEnd(s, start, escaped);
      spans.push({ start, end, closed, escaped });
      i = end + 1;
    } else {
      const start = i;
      while (i < s.length && s[i] !== ',' && s[i] !== ')') i++;
      spans.push({ start, end: i, closed: i < s.length, escaped: false });
    }
    while (i < s.length && s[i] !== ',' && s[i] !== ')') i++;
    if (s[i] !== ',') break;
    i++;
  }
  return spans;
}

/** A quoted SQL value as written in the data: `''` is one quote; in `E'…'` a backslash escapes the next character. */
function unquote(v: string, escaped: boolean): string {
  const u = v.replace(/''/g, "'");
  return escaped ? u.replace(/\\(.)/g, '$1') : u;
}

const ALNUM = /[\p{L}\p{N}]/u;
/** A run of letters and digits: the key a literal is found by. */
const WORD_RUN = /[\p{L}\p{N}]+/u;
const DIGIT = /[0-9]/;

/** True when a literal may start at `i`: not inside a word, nor after the dot of a dotted number (a UID). */
function startsApart(s: string, i: number): boolean {
  if (i === 0) return true;
  const c = s[i - 1]!;
  return !ALNUM.test(c) && !(c === '.' && DIGIT.test(s[i - 2] ?? ''));
}

/** True when a literal may end at `j`: not inside a word, nor before the dot of a dotted number. */
function endsApart(s: string, j: number): boolean {
  const c = s[j];
  return c === undefined || (!ALNUM.test(c) && !(c === '.' && DIGIT.test(s[j + 1] ?? '')));
}

/** The literals of one key that sit at the same offset from it and have the same length. */
interface LiteralGroup {
  offset: number;
  length: number;
  lits: Map<string, string>;
}

/**
 * Names, birth dates and IDs that are not one token, each with its pseudonym, bounded at
 * MAX_KNOWN_IDS (oldest forgotten). A text is searched by its alphanumeric runs, each looked up
 * among the literals that start with it, grouped by offset and length (longest first): one map
 * lookup per group, so the cost of a line does not grow with the number of literals known, even
 * when thousands share a first word (`VAN …`). A literal is replaced only where it stands apart
 * (not inside a longer name, word or UID).
 */
class LiteralSet {
  private readonly all = new Map<string, string>();
  private readonly byHead = new Map<string, LiteralGroup[]>();

  has(k: string): boolean {
    return this.all.has(k);
  }

  add(k: string, p: string): void {
    const head = WORD_RUN.exec(k);
    if (!head || this.all.has(k)) return;
    if (this.all.size >= MAX_KNOWN_IDS) this.remove(this.all.keys().next().value as string);
    this.all.set(k, p);
    let groups = this.byHead.get(head[0]);
    if (!groups) this.byHead.set(head[0], (groups = []));
    let g = groups.find((x) => x.offset === head.index && x.length === k.length);
    if (!g) {
      g = { offset: head.index, length: k.length, lits: new Map() };
      groups.push(g);
      groups.sort((a, b) => b.length - a.length);
    }
    g.lits.set(k, p);
  }

  private remove(k: string): void {
    this.all.delete(k);
    const head = WORD_RUN.exec(k)!;
    const groups = this.byHead.get(head[0])!;
    const i = groups.findIndex((x) => x.offset === head.index && x.length === k.length);
    const g = groups[i]!;
    g.lits.delete(k);
    if (g.lits.size === 0) groups.splice(i, 1);
    if (groups.length === 0) this.byHead.delete(head[0]);
  }

  replace(s: string): string {
    if (this.all.size === 0) return s;
    const runs = new RegExp(WORD_RUN.source, 'gu');
    let out = '';
    let at = 0;
    for (let m = runs.exec(s); m !== null; m = runs.exec(s)) {
      const groups = this.byHead.get(m[0]);
      if (groups === undefined) continue;
      for (const g of groups) {
        const start = m.index - g.offset;
        const end = start + g.length;
        if (start < at || end > s.length) continue;
        const p = g.lits.get(s.slice(start, end));
        if (p === undefined || !startsApart(s, start) || !endsApart(s, end)) continue;
        out += s.slice(at, start) + p;
        at = end;
        runs.lastIndex = end;
        break;
      }
    }
    return at === 0 ? s : out + s.slice(at);
  }
}

/** Adds to a map of at most MAX_KNOWN_IDS entries, forgetting the oldest. */
function remember(map: Map<string, string>, k: string, v: string): void {
  if (map.size >= MAX_KNOWN_IDS) map.delete(map.keys().next().value as string);
  map.set(k, v);
}

export class Redactor {
  private readonly key: Buffer;
  private readonly known = new Map<string, string>();
  private readonly names = new LiteralSet();
  /** Known IDs that are not one token, replaced as literals. */
  private readonly literal = new LiteralSet();

  constructor(key: Buffer = loadRedactKey()) {
    this.key = key;
  }

  pseudonym(id: string, prefix = 'P-'): string {
    return prefix + createHmac('sha256', this.key).update(id, 'utf8').digest('hex').slice(0, 8);
  }

  /** Remembers a value as a patient ID so it is replaced wherever it appears as a whole token. */
  learn(id: string | null | undefined): void {
    if (!id) return;
    const v = id.trim();
    if (v.length < 2 || v === 'unknown' || this.known.has(v)) return;
    const p = this.pseudonym(v);
    remember(this.known, v, p);
    if (!WHOLE_TOKEN.test(v)) this.literal.add(v, p);
  }

  learnName(name: string | null | undefined): void {
    if (!name) return;
    const v = name.trim();
    if (v.length < 2 || this.names.has(v)) return;
    this.names.add(v, this.pseudonym(v, 'N-'));
  }

  /** Learns the identifiers an event's fields name (call before redacting its text). */
  learnFromFields(kind: string, fields: Fields): void {
    for (const f of ID_FIELDS) {
      const v = fields[f];
      if (typeof v !== 'string') continue;
      // Old/Refused are PatientIDs only for the DICOMStudies link, or in Inconsistent lines on PatientID.
      if ((f === 'old' || f === 'refused' || f === 'new') && kind === 'refused-link' && fields.linkColumn !== 'PatientID') continue;
      this.learn(v);
    }
    if (kind === 'inconsistent' && typeof fields.column === 'string') {
      if (NAME_COLUMNS.test(fields.column)) {
        this.learnName(typeof fields.old === 'string' ? fields.old : null);
        this.learnName(typeof fields.new === 'string' ? fields.new : null);
      } else if (/^PatientID$/i.test(fields.column)) {
        this.learn(typeof fields.old === 'string' ? fields.old : null);
        this.learn(typeof fields.new === 'string' ? fields.new : null);
      }
    }
    const pairs = fields.wherePairs;
    if (Array.isArray(pairs)) {
      for (const p of pairs) {
        if (p && typeof p === 'object' && !Array.isArray(p) && typeof p.column === 'string' && typeof p.value === 'string' && ID_COLUMNS.test(p.column)) this.learn(p.value);
      }
    }
    if (kind === 'dicom-dump' && typeof fields.value === 'string') {
      if (fields.name === 'PatientID') this.learn(fields.value);
      else if (fields.name === 'PatientName' || fields.name === 'PatientBirthDate') this.learnName(fields.value);
    }
    if (kind === 'deleting-image-file' && fields.what === 'patient' && typeof fields.target === 'string') this.learn(fields.target);
    // Archival, disk clean-up, deletion and modification lines name their patient as `target`
    // (`… for patient: X`, `Deleting patient: X`, `Modified patient ID to: X`), a study as `ID:UID`.
    const target = fields.target;
    if (typeof target === 'string') {
      const about = [fields.step, fields.what, fields.action].filter((x): x is string => typeof x === 'string').join(' ');
      if (/patient/i.test(about)) this.learn(target);
      else if (/^study$/i.test(about) && target.includes(':')) this.learn(target.slice(0, target.indexOf(':')));
    }
    if (kind === 'killer' && typeof fields.removed === 'string') this.learn(fields.removed);
    // A virtual query's path starts with the patient folder.
    if (kind === 'virtual-filename-problem' && typeof fields.path === 'string') this.learn(fields.path.split(/[\\/]/)[0]);
  }

  /** Replaces known IDs and names, and any BSN-shaped number, in free text. */
  text(s: string): string {
    let out = s;
    // Names and birth dates inside consistency lines, even when the event's fields were not seen.
    if (out.includes('nconsistent ')) {
      out = out.replace(INCONSISTENT_VALUES, (m, col: string, rest: string) =>
        NAME_COLUMNS.test(col) ? `Inconsistent ${col}${rest.replace(/(Old|New)='((?:[^']|'')*)'/g, (_x, k: string, v: string) => `${k}='${this.pseudonym(v, 'N-')}'`)}` : m,
      );
    }
    // A value cut by the 1,000-character limit is replaced but not learned: it may be a part of an ID.
    out = replaceQuoted(out, ID_COLUMN_VALUE, (op, raw, escaped, closed) => {
      if (op.toUpperCase() === 'LIKE') return this.likePieces(raw, 'P-', escaped);
      const v = unquote(raw, escaped);
      if (closed) this.learn(v);
      const id = v.trim();
      return id.length > 0 ? (this.known.get(id) ?? this.pseudonym(id)) : raw;
    });
    // Names and birth dates in the same trace: replaced where they stand, not learned.
    out = replaceQuoted(out, NAME_COLUMN_VALUE, (op, raw, escaped) => {
      const v = unquote(raw, escaped);
      if (v.trim() === '') return raw;
      return op.toUpperCase() === 'LIKE' ? this.likePieces(raw, 'N-', escaped) : this.pseudonym(v.trim(), 'N-');
    });
    if (INSERT_HINT.test(out)) out = this.insertValues(out);
    if (DUMP_NAME.test(out)) out = out.replace(DUMP_NAME, (_m, head: string, v: string) => `${head}${this.pseudonym(v.trim(), 'N-')}`);
    out = this.names.replace(out);
    if (HAS_FILE_NAME.test(out)) {
      out = out.replace(FILE_PATH, (m, head: string, folder: string, file: string) => {
        // The folder right above the file: a patient's under syntax 3/4, kept when it is a UID or a
        // top-level folder of an absolute path (`D:\failsafe\x.dcm`).
        const dirs = head.split(/[\\/]/).filter((x) => x !== '' && !/^[A-Za-z]:$/.test(x));
        const absolute = /^(?:[A-Za-z]:)?[\\/]/.test(head);
        if (UID_FOLDER.test(folder) || folder === 'unknown' || (absolute && dirs.length === 0)) return m;
        return `${head}${this.known.get(folder) ?? this.pseudonym(folder)}${file}`;
      });
    }
    out = this.literal.replace(out);
    return out.replace(TOKEN, (tok) => {
      const k = this.known.get(tok);
      if (k) return k;
      if (tok.length === 9 && looksLikeBsn(tok)) return this.pseudonym(tok);
      if (tok.length > 9) return tok.replace(BSN_RUN, (run) => (looksLikeBsn(run) ? this.pseudonym(run) : run));
      return tok;
    });
  }

  /** A LIKE pattern as written, each literal piece (part of a value, hashed unquoted) replaced, not learned. */
  private likePieces(raw: string, prefix: 'P-' | 'N-', escaped = false): string {
    return raw
      .split(new RegExp(`(${LIKE_WILDCARDS.source})`))
      .map((x, i) => {
        // In `E'…'` a backslash (a separator here) may have escaped a quote: a piece starting with one is that quote.
        const piece = escaped ? x.replace(/^'/, '') : x;
        if (i % 2 === 1 || piece.trim() === '') return x;
        const v = unquote(piece, false);
        return prefix === 'P-' ? (this.known.get(v) ?? this.pseudonym(v)) : this.pseudonym(v, 'N-');
      })
      .join('');
  }

  /**
   * Replaces the PatientID, name and birth-date values of an INSERT by their pseudonyms where they
   * stand. Complete PatientIDs are learned; names are not (a birth date learned as a literal would
   * also match the same digits elsewhere), nor a value cut by the 1,000-character limit.
   */
  private insertValues(s: string): string {
    const m = SQL_INSERT.exec(s);
    if (!m) return s;
    const columns = m[1]!.split(',').map((c) => c.trim());
    const spans = insertValueSpans(s, m.index + m[0].length - m[2]!.length);
    let out = '';
    let at = 0;
    spans.forEach(({ start, end, closed, escaped }, i) => {
      const col = columns[i] ?? '';
      const v = unquote(s.slice(start, end), escaped).trim();
      if (v === '' || v === 'NULL') return;
      let p: string | null = null;
      if (ID_COLUMNS.test(col)) {
        if (closed) this.learn(v);
        p = this.known.get(v) ?? this.pseudonym(v);
      } else if (NAME_COLUMNS.test(col)) {
        // A complete name is learned (it may name a file path later); a birth date is not (it is also a date elsewhere).
        if (closed && !/Bir/i.test(col)) this.learnName(v);
        p = this.pseudonym(v, 'N-');
      }
      if (p === null) return;
      out += s.slice(at, start) + p;
      at = end;
    });
    return out + s.slice(at);
  }

  value(v: FieldValue): FieldValue {
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (v && typeof v === 'object') {
      const o: { [k: string]: FieldValue } = {};
      for (const [k, x] of Object.entries(v)) o[k] = this.value(x);
      return o;
    }
    return v;
  }

  /**
   * Learns what an event names without producing its redacted copy: the fields, and the PatientID
   * column values and INSERT values of its text (all such columns' names hold `Pat`). A learning
   * pass of this over re-readable inputs lets the printing pass redact an ID in a line before the
   * line that first names it.
   */
  learnEvent(e: LogEvent): void {
    this.learnFromFields(e.kind, e.fields);
    if (PAT_HINT.test(e.text)) this.text(e.text);
  }

  /** A redacted copy of an event. */
  event(e: LogEvent): LogEvent {
    this.learnFromFields(e.kind, e.fields);
    return { ...e, source: e.source, text: this.text(e.text), fields: this.value(e.fields) as Fields };
  }
}
