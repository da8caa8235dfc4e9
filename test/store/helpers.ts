/** Helpers for the store tests: temp folders, zips written with yazl, row counts. */
import { mkdtempSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import yauzl from 'yauzl';
import type { DB } from '../../src/store/schema.js';
import type { LogEvent } from '../../src/parse/event.js';
import { storedEvents } from '../../src/store/search.js';

export function tmp(prefix = 'cqlog-store-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes a zip holding the given files (name → contents). */
export function writeZip(file: string, entries: Record<string, Buffer | string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const [name, data] of Object.entries(entries)) z.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1'), name, { mtime: new Date(2026, 10, 27) });
    z.end();
    const out = createWriteStream(file);
    z.outputStream.pipe(out).on('close', () => resolve()).on('error', reject);
  });
}

/** Reads one entry of a zip. */
export function readZipEntry(file: string, entry: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zf) => {
      if (err || !zf) return reject(err);
      zf.on('entry', (e: yauzl.Entry) => {
        if (e.fileName !== entry) return zf.readEntry();
        zf.openReadStream(e, (err2, s) => {
          if (err2 || !s) return reject(err2);
          const parts: Buffer[] = [];
          s.on('data', (c: Buffer) => parts.push(c));
          s.on('end', () => {
            zf.close();
            resolve(Buffer.concat(parts));
          });
        });
      });
      zf.on('end', () => reject(new Error(`no entry ${entry}`)));
      zf.readEntry();
    });
  });
}

/** Every event the index holds, read back from its blocks. */
export function stored(db: DB): LogEvent[] {
  return [...storedEvents(db)];
}

export function rowCount(db: DB): number {
  return stored(db).length;
}

/** (source, line, offset) triples that occur more than once. */
export function duplicates(db: DB): string[] {
  const seen = new Set<string>();
  const dup: string[] = [];
  for (const e of stored(db)) {
    const k = `${e.source}:${e.line}:${e.offset}`;
    if (seen.has(k)) dup.push(k);
    seen.add(k);
  }
  return dup;
}

export function lines(n: number, from = 0, prefix = 'line'): string {
  const out: string[] = [];
  for (let i = from; i < from + n; i++) {
    const s = String(i % 60).padStart(2, '0');
    const m = String(Math.floor(i / 60) % 60).padStart(2, '0');
    out.push(`20240311 10:${m}:${s} Written file: D:\\data\\1234${String(i).padStart(4, '0')}\\1.2.3.${i}_0001_000001_1595419385000${i % 10}.dcm ${prefix}${i}`);
  }
  return out.join('\r\n') + '\r\n';
}

export { readFileSync, writeFileSync };

export interface EventRow {
  source: string;
  line: number;
  time: string | null;
  kind: string;
  patient: string | null;
  study_uid: string | null;
  series_uid: string | null;
}

function strField(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** The `events` view's rows, and what they must be: the stored events, read back from their blocks. */
export function eventRows(db: DB): { view: EventRow[]; expected: EventRow[] } {
  const order = (a: EventRow, b: EventRow): number => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.line - b.line || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  const view = (db.prepare('SELECT source, line, time, kind, patient, study_uid, series_uid FROM events').all() as EventRow[]).sort(order);
  const expected = stored(db)
    .map((e) => ({
      source: e.source,
      line: e.line,
      time: e.time,
      kind: e.kind,
      patient: strField(e.fields.patientId) ?? strField(e.fields.patientFolder),
      study_uid: strField(e.fields.studyUid),
      series_uid: strField(e.fields.seriesUid),
    }))
    .sort(order);
  return { view, expected };
}
