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
  try {
    const k = readFileSync(file, 'utf8').trim();
    if (k.length >= 32) return Buffer.from(k, 'utf8');
  } catch {
    /* first use */
  }
  const k = randomBytes(32).toString('hex');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, k + '\n', { mode: 0o600, flag: 'w' });
  return Buffer.from(k, 'utf8');
}

/** Field names whose values are patient identifiers. */
const ID_FIELDS = new Set(['patientId', 'patientFolder', 'old', 'refused', 'oldValue', 'refusedValue']);
/** WHERE columns holding a PatientID (short and long dicom.sql names, reference §4.2). */
const ID_COLUMNS = /^(PatientID|SeriesPat|ImagePat|StudyPat|PatientPat)$/i;
/** Consistency columns holding a name or birth date. */
const NAME_COLUMNS = /^(PatientNam|PatientName|PatientBir|PatientBirthDate|ReferPhysi|ReferringPhysicianName)/i;

const INCONSISTENT_VALUES = /Inconsistent (\S+)( in \S+: .*)$/;
const DUMP_NAME = /^(\s*>*0010,00(?:10|30) +\d+ [A-Z]{2} \S+ +)(.+)$/;

const TOKEN = /[A-Za-z0-9][A-Za-z0-9._^-]*/g;
/**
 * A quoted value of a PatientID column anywhere in a line, with or without its table: the debug SQL
 * trace (`Values: DICOMStudies.PatientID = 'X'`, `Where : DICOMPatients.PatientID = 'X'`) names
 * IDs that no event field carries.
 */
const ID_COLUMN_VALUE = /\b((?:DICOM\w+\.)?(?:PatientID|SeriesPat|ImagePat|StudyPat|PatientPat)\s*=\s*')((?:[^']|'')*)'/gi;

export class Redactor {
  private readonly key: Buffer;
  private readonly known = new Map<string, string>();
  private readonly names = new Map<string, string>();

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
    if (this.known.size >= MAX_KNOWN_IDS) this.known.delete(this.known.keys().next().value as string);
    this.known.set(v, this.pseudonym(v));
  }

  learnName(name: string | null | undefined): void {
    if (!name) return;
    const v = name.trim();
    if (v.length < 2 || this.names.has(v)) return;
    if (this.names.size >= MAX_KNOWN_IDS) this.names.delete(this.names.keys().next().value as string);
    this.names.set(v, this.pseudonym(v, 'N-'));
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
    out = out.replace(ID_COLUMN_VALUE, (_m, head: string, v: string) => {
      this.learn(v);
      const id = v.trim();
      return `${head}${id.length > 0 ? (this.known.get(id) ?? this.pseudonym(id)) : v}'`;
    });
    if (DUMP_NAME.test(out)) out = out.replace(DUMP_NAME, (_m, head: string, v: string) => `${head}${this.pseudonym(v.trim(), 'N-')}`);
    if (this.names.size > 0) {
      for (const [name, p] of this.names) if (out.includes(name)) out = out.split(name).join(p);
    }
    return out.replace(TOKEN, (tok) => {
      const k = this.known.get(tok);
      if (k) return k;
      if (tok.length === 9 && looksLikeBsn(tok)) return this.pseudonym(tok);
      // A path segment such as `123456782_…` or a syntax-4 name keeps its ID before the first `_`.
      return tok;
    });
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

  /** A redacted copy of an event. */
  event(e: LogEvent): LogEvent {
    this.learnFromFields(e.kind, e.fields);
    return { ...e, source: e.source, text: this.text(e.text), fields: this.value(e.fields) as Fields };
  }
}
