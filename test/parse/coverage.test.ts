/**
 * Message-catalog coverage (issue 2, item 5): every `normal+debug` printf format Conquest can
 * print (reference §0, `conquest-log-formats.tsv`) is turned into a plausible message and run
 * through the real parser; the share that gets a specific kind is the catalog's coverage.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventAssembler } from '../../src/parse/assemble.js';
import { FALLBACK_KINDS } from '../../src/parse/catalog/index.js';
import type { LogEvent } from '../../src/parse/event.js';
import { FORMATS_TSV, ROOT } from '../helpers.js';

/** Share of normal+debug formats covered (764 of 794 = 96.2% when set); a regression below it fails. */
const COVERAGE_FLOOR = 0.96;

interface FormatRow {
  file: string;
  line: string;
  logger: string;
  visibleIn: string;
  format: string;
}

function readFormats(): FormatRow[] {
  const lines = fs.readFileSync(FORMATS_TSV, 'utf8').split('\n');
  const head = lines[0]!.split('\t');
  const col = (name: string): number => {
    const i = head.indexOf(name);
    if (i < 0) throw new Error(`column ${name} missing in ${FORMATS_TSV}`);
    return i;
  };
  const [cFile, cLine, cLogger, cVisible, cFormat] = ['file', 'line_1.5.0e', 'logger', 'visible_in', 'format'].map(col) as [number, number, number, number, number];
  return lines
    .slice(1)
    .filter((l) => l.length > 0)
    .map((l) => {
      const c = l.split('\t');
      return { file: c[cFile]!, line: c[cLine]!, logger: c[cLogger]!, visibleIn: c[cVisible]!, format: c[cFormat]! };
    });
}

/** A printf conversion: flags, width, precision, length, conversion character. */
const CONVERSION = /%([-+ #0]*)(\d+|\*)?(?:\.(\d+|\*))?(?:hh|h|ll|l|L|z|j|t)?([diouxXeEfgGcsp%])/g;

/** Turns one printf format into a message as Conquest would print it, with plausible values. */
export function synthesise(format: string): string | null {
  if (format.startsWith('<non-literal')) return null;
  const unescaped = format.replace(/\\(["\\nt])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
  return unescaped.replace(CONVERSION, (_m, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
    const w = width && width !== '*' ? Number(width) : 0;
    const left = flags.includes('-');
    const zero = flags.includes('0') && !left;
    const pad = (v: string): string => (v.length >= w ? v : left ? v.padEnd(w) : v.padStart(w, zero ? '0' : ' '));
    switch (conv) {
      case '%':
        return '%';
      case 's':
        return pad('MAINPACS');
      case 'c':
        return pad('X');
      case 'd':
      case 'i':
      case 'u':
        return pad('12');
      case 'o':
        return pad('14');
      case 'x':
      case 'X': {
        const n = prec && prec !== '*' ? Number(prec) : zero ? w : 0;
        return pad(n > 0 ? (0x20).toString(16).padStart(n, '0') : 'c004');
      }
      case 'p':
        return pad('0x7ffd1234');
      default:
        return pad('1.5');
    }
  });
}

/** The first non-empty physical line of a message: how a multi-line format is judged. */
function firstLine(message: string): string | null {
  return message.split('\n').find((l) => l.trim().length > 0) ?? null;
}

const PREFIX = '20200722 14:03:05 ';

/** The kind the real parser gives a message line behind a Windows dgate prefix. */
function kindOf(line: string): string {
  const out: LogEvent[] = [];
  const a = new EventAssembler('coverage', { dateOrder: 'dmy' }, (e) => out.push(e), () => {});
  a.line(PREFIX + line, 0, 1);
  a.end();
  return out[0]?.kind ?? 'blank';
}

function isSpecific(kind: string): boolean {
  return !FALLBACK_KINDS.has(kind) && kind !== 'blank';
}

/** The kind a format gets, or null when it cannot be synthesised or has no printable line. */
function kindOfFormat(format: string): string | null {
  const msg = synthesise(format);
  if (msg === null) return null;
  const line = firstLine(msg);
  return line === null ? 'blank' : kindOf(line);
}

/**
 * The key messages of reference §2–§5 (quoted verbatim there, C escapes as written): every one
 * must get a specific kind, whatever its logger.
 */
const KEY_FORMATS: string[] = [
  "Written file: %s\\n",
  "Rewritten file: %s\\n",
  "File already exists: %s\\n",
  "Virtual file: %s\\n",
  "**** Virtual storage filename problem - %s\\n",
  "**** Virtual storage db problem - %s\\n",
  "***Error saving to SQL: %s\\n",
  "***Error saving to SQL on retry: %s\\n",
  "***Error writing file: %s\\n",
  "SaveToDisk: cannot rewrite jpeg/rle image in v2 format: %s\\n",
  "SaveToDisk: *** warning: cannot write NKI compressed in dcm format, decompressing: %s\\n",
  "***[WorkListMode 2] Worklist entry (AccessionNumber) not found; object not saved\\n",
  "Cannot rewrite image that is not on MAG store\\n",
  "*** Out of disk space\\n",
  "No image number\\n",
  "No Series number\\n",
  "No Series UID\\n",
  "No Study UID\\n",
  "No SOP UID\\n",
  "No Patient ID\\n",
  "No Patient Name\\n",
  "***ALERT: RUNNING OUT OF FREE SPACE\\n",
  "DISK SPACE: %d MB / NEED %d MB - Deleting patient: %s\\n",
  "***Failsafe storage saved incoming file as: %s\\n",
  "Failed STORAGE\\n",
  "Empty patient ID in object, but database will use: %s\\n",
  "Truncated %s from %d to %d chars in file: %s\\n",
  "***Truncated %s from %d to %d chars in file: %s\\n",
  "***Refused to enter inconsistent link %s into %s: PatientID = '%s' %s, Old='%s', Refused='%s'\\n",
  "***Inconsistent %s in %s: PatientID = '%s' %s, Old='%s', New='%s'\\n",
  "Inconsistent %s in %s: PatientID = '%s' %s, Old='%s', New='%s'\\n",
  "***Duplicate found in %s WHERE %s\\n",
  "***Unable to DB.Add()\\n",
  "***SQL: %.1000s\\n",
  "***Unable to update record\\n",
  "***Could not update access time for Image level database\\n",
  "***Could not obtain Series level link\\n",
  "***Could not obtain Study level link\\n",
  "***Unable to connect to SQL\\n",
  "***Unable to query UIDMODS table\\n",
  "***Unable to bind field of UIDMODS table\\n",
  "***Unable to add entry to UIDMODS table\\n",
  "***[NewDeleteFromDB] -FAILED: DDO does not contain correct UIDs\\n",
  "Removed file: [%s:%s]\\n",
  "Removing object: [%s:%s]\\n",
  "Modifying object: [%s:%s]\\n",
  "***Could not remove IOD %s\\n",
  "***Could not remove mirror file %s\\n",
  "***Unable to locate FILENAME for image\\n",
  "Fiximage: Added patient name\\n",
  "Fiximage: truncated %d trailing spaces from patient ID\\n",
  "Fiximage: Added patient ID\\n",
  "Fiximage: Fixed empty patient ID\\n",
  "Fiximage: Fixed Philips patient ID\\n",
  "Fiximage: Fixed Kodak patient ID\\n",
  "UPACS THREAD %d: STARTED AT: %s\\n",
  "A-ASSOCIATE-RQ Packet Dump\\n",
  "\\tCalling Application Title : \\\"%s\\\"\\n",
  "\\tCalled Application Title : \\\"%s\\\"\\n",
  "\\tApplication Context : \\\"%s\\\", PDU length: %d\\n",
  "\\tNumber of Proposed Presentation Contexts: %d\\n",
  "\\tPresentation Context %d \\\"%s\\\" %d\\n",
  "\\t\\tTransfer Syntax %d \\\"%s\\\" %d\\n",
  "*** connection terminated\\n",
  "*** Association rejected: you may need to add the listed presentation context as sop to dgatesop.lst\\n",
  "*** multiplex: connection terminated\\n",
  "***Error connecting datasource:%s user:%s password:%s\\n",
  "***Error connecting: %s %s/%s\\nRetrying\\n",
  "Server Command   := %4.4x\\n",
  "Message ID       := %4.4x\\n",
  "Move Originator Message ID := %4.4x\\n",
  "Move Originator AE         := %s\\n",
  "\\tC-Move Destination: \\\"%s\\\"\\n",
  "C-Echo\\n",
  "(PatientRootQuery) search level: %s\\n",
  "C-Find (PatientRoot) located %d records\\n",
  "C-Find (StudyRoot) located %d records\\n",
  "C-Find (PatientStudyOnly) located %d records\\n",
  "C-Find (Modality Work List) located %d records\\n",
  "C-Move (PatientRoot)\\n",
  "C-Move (StudyRoot)\\n",
  "C-Move (PatientStudyOnly)\\n",
  "C-Move (PatientRootNKI)\\n",
  "C-Move (StudyRootNKI)\\n",
  "C-Move (PatientStudyOnlyNKI)\\n",
  "C-Get (PatientRoot)\\n",
  "C-Get (StudyRoot)\\n",
  "C-Get (PatientStudyOnly)\\n",
  "Cancel request\\n",
  "\\n***Client Error: command %4.4x failed **\\n",
  "***Connection Terminated\\n",
  "UPACS THREAD %d: ENDED AT: %s\\n",
  "UPACS THREAD %d: TOTAL RUNNING TIME: %d SECONDS\\n",
  "UPACS: %s: STARTED AT: %s\\n",
  "UPACS: %s: ENDED AT: %s\\n",
  "UPACS: %s: TOTAL RUNNING TIME: %d SECONDS\\n",
  "Child: Socketfd = %d\\n",
  "Retrieve: operation blocked by script\\n",
  "Retrieve: move destination missing\\n",
  "Retrieve: move destination empty\\n",
  "Retrieve: move destination not allowed or known\\n: %s",
  "(QualifyOn) (mapped) IP:%s, PORT:%s\\n",
  "Retrieve: move search failed\\n",
  "Number of images to send: %d\\n",
  "Number of Images to send: %d\\n",
  "Reduced to: %d\\n",
  "Host '%s' did not accept the connection\\n",
  "Host '%s' will not accept image\\n",
  "Accepted compression: %s\\n",
  "Sending file : %s\\n",
  "Sending file: %s\\n",
  "Retrieve: remote connection dropped after %d images, %d not sent\\n",
  "Recieved cancel request\\n",
  "***Could not find file:%s\\n",
  "***Could not read file:%s\\n",
  "***Could not read file: %s\\n",
  "***Could still not find file: %s\\n",
  "*** Failed to retrieve some files:\\n",
  "*** missing file: %s %s\\n",
  "Deleting database entry for image: %s\\n",
  "*** Virtual query - failed to connect for C-FIND to %s\\n",
  "*** Virtual query - FIXKODAK is set for server %s but FixKodak is not set in dicom.ini\\n",
  "Virtual query - blocked wildcard date query to %s\\n",
  "Virtual query to db - blocked wildcard date query to %s\\n",
  "**** Virtualquery: failed to connect to database: %s\\n",
  "Virtual query: first response from %s (total %d records)\\n",
  "Virtualquery: processing response from server: %s\\n",
  "Virtualquery: cleaning response from server: %s %d %d\\n",
  "Virtualquery: removed %d duplicates out of %d entries\\n",
  "VirtualQueryCached: read %d cache records for %s:%s/%s from %s\\n",
  "VirtualQueryCached: stored %d cache records for %s:%s/%s in %s\\n",
  "VirtualQueryCached: %s does not provide computed fields - cannot cache\\n,",
  "IMAGETYPEFIX removed %d incorrect query results\\n",
  "Virtual query (%s) added - %s\\n",
  "**** Virtual query (%s) filename problem - %s\\n",
  "**** Virtual query db problem - %s\\n",
  "Virtual server - collecting %d missing objects from %s\\n",
  "*** Virtual server - failed to connect %s (%s %s) for C-MOVE\\n",
  "Move request sent to virtual server %s (VirtualServerPerSeries = %d):\\n",
  "*** Virtual server - C-MOVE association lost to %s\\n",
  "*** Virtual server - C-MOVE got a wrong response from %s\\n",
  "Virtual server - Grabbed %d images for %s from %s\\n",
  "*** Virtual server - remote C-MOVE DICOM Error code %x (%d) from %s\\n",
  "Attempting to locate %s on virtualservers\\n",
  "Fixed patient ID to kodak, now 0%s\\n",
  "Fixed patient ID from kodak, now %s\\n",
  "ProcessRATData: overlap read > %04d\\n",
  "ReadAheadThread: readahead > %04d\\n",
  "RetrieveOn: givenout < %04d\\n",
  "Image Loaded from Read Ahead Thread, returning TRUE\\n",
  "Locating file:%s %s\\n",
  "%sconverter%d.%d executes: %s\\n",
  "%sconverter%d.%d: destroyed received image\\n",
  "*** %sconverter%d.%d script not found: %s\\n",
  "%sConverter%d.%d: forwarded object to %s\\n",
  "*** %sConverter%d.%d: Forward failed to connect to host %s\\n",
  "Exportconverter%d.%d executes: %s\\n",
  "ExportConverter%d.%d: forward %s to %s\\n",
  "*** ExportConverter%d.%d: Forward failed to connect to host %s\\n",
  "ExportConverter%d.%d: forward association closed by %s\\n",
  "Exportconverter%d.%d: queued prefetch %s\\n",
  "***Exportconverter%d: Spawning '%s' failed (argv=%s)\\n",
  "*** lua syntax error %s in '%s'\\n",
  "*** lua run error %s in '%s'\\n",
  "Started zip and cleanup thread\\n",
  "DGATE (%s, build %s, bits %d) is running as threaded server\\n",
  "DGATE (%s, build %s, bits %d) runs in non-threaded debug mode\\n",
  "Database type: ODBC connection\\n",
  "*** File dgate.dic is missing, some server functions will not work correctly\\n",
  "Started %d export queue thread(s)\\n",
  "Started mirror copy queue thread\\n",
  "Started prefetcher queue thread\\n",
  "Also monitoring for files in: %s\\n",
  "Starting %s DelayedForwarderThreads\\n",
  "***Unable to open database %s as user %s on %s\\n",
  "***Failed to Listen () - bind error\\n",
  "***Failed to create thread for child\\n",
  "***Error in Accept() function call\\n",
  "Monitoring for files in: %s\\n",
  "*** Not enough rights to write to logfiles\\n",
  "*** Not enough rights to write in MAG0\\n",
  "Queue: holding processing of file %s\\n",
  "Queue: retrying processing of file %s\\n",
  "*** Queue: %d retries exceeds set maximum of %d - giving up\\n",
  "***Error loading acr-nema map file:%s\\n",
  "***Ini file item '%s:%s' trucated\\n",
  "***A fatal error occurred (out of memory) - closing server\\n",
  "*** cannot connect to sqlite database %s\\n",
  "*** cannot use DoubleBackSlashToDB=1 with sqlite database\\n",
  "***SQLITEExec error: %s\\n",
  "***Cannot connect to MySQL on port %d\\n",
  "***MySQL Error message: %s\\n",
  "***Cannot select MySQL database %s\\n",
  "*** Open dbase %s error code %d\\n",
  "***Failed to SQLAllocConnect()\\n",
  "***Failed to SQLConnect()\\n",
  "***Failed SQLExecDirect : %.1000s\\n",
  "***Failed MYSQLExec : %.1000s\\n",
  "***Failed PGSQLExec : %.1000s\\n",
  "***Failed SQLITEExec : %.1000s\\n",
  "***Error: %s\\n",
  "***Error: %d: %s: %s\\n",
  "***DB error\\n",
  "Query Tables: %.1000s\\n",
  "Issue Query on Columns: %s\\n",
  "Values: %.1000s\\n",
  "Tables: %.1000s\\n",
  "Records = %d\\n",
  "Query On Image\\n",
  "Hashed  query in %s %s took long: %d ms\\n",
  "Packing database %s\\n",
  "***dicommove: AE not found: %s\\n",
  "***preretrieve: AE not found: %s\\n",
  "*** Storage commitment - host not found: %s\\n",
];

describe('catalog coverage of the Conquest printf formats', () => {
  const formats = readFormats();
  const normal = formats.filter((f) => f.visibleIn === 'normal+debug');

  it('synthesises printf formats into plausible messages', () => {
    expect(synthesise('Number of images to send: %d\\n')).toBe('Number of images to send: 12\n');
    expect(synthesise('\\tCalling Application Title : \\"%s\\"\\n')).toBe('\tCalling Application Title : "MAINPACS"\n');
    expect(synthesise('Server Command   := %4.4x\\n')).toBe('Server Command   := 0020\n');
    expect(synthesise('%04x,%04x %08x %x %c %% %-10s|')).toBe('0020,0020 00000020 c004 X % MAINPACS  |');
    expect(synthesise('***SQL: %.1000s\\n')).toBe('***SQL: MAINPACS\n');
    expect(synthesise('<non-literal: buffer>')).toBeNull();
  });

  it('reaches the coverage floor for normal+debug formats', () => {
    const uncovered: { where: string; format: string; kind: string | null }[] = [];
    const byKind: Record<string, number> = {};
    let covered = 0;
    for (const f of normal) {
      const kind = kindOfFormat(f.format);
      if (kind !== null && isSpecific(kind)) {
        covered++;
        byKind[kind] = (byKind[kind] ?? 0) + 1;
      } else {
        uncovered.push({ where: `${f.file}:${f.line}`, format: f.format, kind });
      }
    }
    const total = normal.length;
    const percent = Math.round((1000 * covered) / total) / 10;
    console.log(`catalog coverage: ${covered} of ${total} normal+debug formats (${percent}%)`);
    const outDir = path.join(ROOT, 'test-output');
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(
      path.join(outDir, 'coverage.json'),
      JSON.stringify({ covered, total, percent, floor: COVERAGE_FLOOR, byKind, uncovered }, null, 1) + '\n',
    );
    expect(total).toBeGreaterThan(700);
    expect(covered / total).toBeGreaterThanOrEqual(COVERAGE_FLOOR);
  });

  it('covers every key message of reference §2–§5 with a specific kind', () => {
    const known = new Set(formats.map((f) => f.format));
    const missing: string[] = [];
    for (const format of KEY_FORMATS) {
      expect(known.has(format), `not a Conquest format: ${format}`).toBe(true);
      const kind = kindOfFormat(format);
      if (kind === null || !isSpecific(kind)) missing.push(`${format} -> ${kind}`);
    }
    expect(missing).toEqual([]);
  });

  it('does not count fallback kinds as coverage', () => {
    expect(isSpecific(kindOf('some text Conquest never prints'))).toBe(false);
    expect(isSpecific(kindOf('***some error Conquest never prints'))).toBe(false);
    expect(kindOfFormat('\\n')).toBe('blank');
  });
});
