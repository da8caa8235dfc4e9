/**
 * Writes `samples/incident/`, a Conquest router install folder that replays the BSN incident of
 * reference §4.3 (c)–(d) and §7 across the daily zip and the live logs (issue 2, item 8).
 *
 *   npx tsc -p tsconfig.json && node dist/tools/make-incident.js [--out DIR]
 *
 * Everything comes from this code: no clock, no randomness, fixed zip entry times stored without
 * compression, so the same bytes come out on every machine. The server clock runs on UTC (as in the
 * genuine logs of ../shared/dgate-real), so the 10-digit time token in a syntax-4 file name is the
 * log's wall-clock time of the moment the name was made.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import yazl from 'yazl';
import { ctime, SOP } from './dgateText.js';

export { ctime };

// ---------------------------------------------------------------- the story's constants

/** The hospital PatientID of the pushed study (X in the reference). */
export const REAL_ID = '12345678';
/** The BSN that the failed virtual move wrote into the router's database (Y); passes the 11-check. */
export const BSN = '123456782';
export const STUDY_UID = '1.3.46.670589.5.2.10.2156913941.892665384.993397';
export const SERIES_UID = '1.3.46.670589.5.2.10.2156913941.892665339.860724';
/** The wrong destination of the failed move: an acrnema.map entry whose port is closed. */
export const WRONG_DEST = 'WS2';
export const ZIP_NAME = 'logs_20261126.zip';

const MAG = '/opt/conquest/data/';
const ROUTER = 'ROUTER';
const BANNER = 'DGATE (1.5.0e, build Tue Feb 18 19:39:40 2025, bits 64) is running as threaded server';

const CT_STORE = SOP.ct;
const VERIFY = SOP.verify;
const PR_FIND = SOP.patientRootFind;
const PR_MOVE = SOP.patientRootMove;
const SR_FIND = SOP.studyRootFind;

// ---------------------------------------------------------------- time

/** Seconds since the epoch of a wall-clock time (the server clock is UTC). */
export function at(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

/** A `Date` whose *local* fields are the given wall-clock time: zip entries store local DOS times. */
function localDate(sec: number): Date {
  const t = new Date(sec * 1000);
  return new Date(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds());
}

// ---------------------------------------------------------------- the simulated router

interface Assoc {
  thread: number;
  acceptedAt: number;
}

interface LogFiles {
  serverstatus: string[];
  trouble: string[];
  user: string[];
  /** Time of the last line of each file, for file and zip-entry times. */
  lastStatus: number;
  lastTrouble: number;
  lastUser: number;
}

const emptyLogs = (): LogFiles => ({ serverstatus: [], trouble: [], user: [], lastStatus: 0, lastTrouble: 0, lastUser: 0 });

/** One dgate process writing serverstatus.log (`-^`), PacsTrouble.log and PacsUser.log. */
class Router {
  logs = emptyLogs();
  private thread: number;
  private counter: number;

  constructor(firstThread: number, firstCounter: number) {
    this.thread = firstThread;
    this.counter = firstCounter;
  }

  /** OperatorConsole line; a `***` message is copied to PacsTrouble.log (§1.1 step 5). */
  n(t: number, msg: string): void {
    this.logs.serverstatus.push(`${ctime(t)} ${msg}`);
    this.logs.lastStatus = t;
    if (msg.includes('***')) this.trouble(t, msg);
  }

  /** PacsTrouble.log only (§1.4). */
  trouble(t: number, msg: string): void {
    this.logs.trouble.push(`${ctime(t)} ${msg}`);
    this.logs.lastTrouble = t;
  }

  /** PacsUser.log (§1.4): `"C-Store","CT01            "`. */
  user(t: number, op: 'C-Store' | 'C-Move ', ae: string): void {
    this.logs.user.push(`${ctime(t)} "${op}","${ae.padEnd(16)}"`);
    this.logs.lastUser = t;
  }

  /** A process start: counters restart (§2.3), the banner is printed. */
  restart(t: number): void {
    this.thread = 0;
    this.counter = 0;
    this.n(t, BANNER);
    this.n(t, 'Database type: built-in SQLite driver');
    this.n(t, 'Started zip and cleanup thread');
  }

  /** Relative syntax-4 ObjectFile, made now: `<ID>/<series>_<SSSS>_<IIIIII>_<time><ctr>.dcm` (§3). */
  objectFile(t: number, patientId: string, series: string, seriesNo: number, imageNo: number): string {
    const c = (this.counter++ & 0xffff).toString(16).padStart(4, '0');
    return `${patientId}/${series}_${String(seriesNo).padStart(4, '0')}_${String(imageNo).padStart(6, '0')}_${t}${c}.dcm`;
  }

  /** Blank line, `UPACS THREAD n: STARTED AT`, the IARQ lines (§2.3). */
  open(t: number, calling: string, pdu: number, contexts: string[], acceptedAt = t): Assoc {
    const a: Assoc = { thread: this.thread++, acceptedAt };
    this.n(t, '');
    this.n(t, `UPACS THREAD ${a.thread}: STARTED AT: ${ctime(acceptedAt)}`);
    this.n(t, `\tCalling Application Title : "${calling.padEnd(16)}"`);
    this.n(t, `\tCalled Application Title : "${ROUTER.padEnd(16)}"`);
    this.n(t, `\tApplication Context : "1.2.840.10008.3.1.1.1", PDU length: ${pdu}`);
    contexts.forEach((uid, i) => this.n(t, `\tPresentation Context ${i} "${uid}" 1`));
    return a;
  }

  close(t: number, a: Assoc): void {
    this.n(t, `UPACS THREAD ${a.thread}: ENDED AT: ${ctime(t)}`);
    this.n(t, `UPACS THREAD ${a.thread}: TOTAL RUNNING TIME: ${t - a.acceptedAt} SECONDS`);
  }

  /** A modality pushes a series: one `Written file` and one PacsUser line per object (§4.3 a). */
  push(t: number, ae: string, patientId: string, series: string, seriesNo: number, images: number[]): string[] {
    const a = this.open(t, ae, 16384, [CT_STORE, CT_STORE]);
    const files: string[] = [];
    for (const img of images) {
      const f = this.objectFile(t, patientId, series, seriesNo, img);
      files.push(f);
      this.n(t, `Written file: ${MAG}${f}`);
      this.user(t, 'C-Store', ae);
      t += 1;
    }
    this.close(t, a);
    return files;
  }

  /** The same objects again: the stored ObjectFiles are reused (`Rewritten file`, §2.1). */
  repush(t: number, ae: string, files: string[], inconsistent?: string): number {
    const a = this.open(t, ae, 16384, [CT_STORE, CT_STORE]);
    files.forEach((f, i) => {
      if (i === 0 && inconsistent) this.trouble(t, inconsistent);
      this.n(t, `Rewritten file: ${MAG}${f}`);
      this.user(t, 'C-Store', ae);
      t += 1;
    });
    this.close(t, a);
    return t;
  }

  echo(t: number, ae: string): number {
    const a = this.open(t, ae, 16384, [VERIFY]);
    this.n(t, 'C-Echo');
    this.close(t, a);
    return t;
  }

  /** A C-FIND; the level is the raw VR value, so odd lengths keep their pad space (§2.3). */
  find(t: number, ae: string, model: 'StudyRoot' | 'PatientRoot', level: string, records: number): number {
    const a = this.open(t, ae, 16384, [model === 'StudyRoot' ? SR_FIND : PR_FIND]);
    this.n(t, `(${model}Query) search level: ${level.length % 2 ? level + ' ' : level}`);
    t += 1;
    this.n(t, `C-Find (${model}) located ${records} records`);
    this.close(t, a);
    return t;
  }

  /**
   * A virtual-server C-MOVE that succeeds (§4.3 b, as the real router logged it in s2): the rows
   * are made at query time, the nested MAINPACS association writes their files, then they are sent.
   */
  virtualMove(t: number, ae: string, dest: string, patientId: string, series: string, seriesNo: number, images: number[]): number {
    const a = this.open(t, ae, 16384, [PR_FIND, PR_MOVE]);
    this.n(t, `\tC-Move Destination: "${dest.length % 2 ? dest + ' ' : dest}"`);
    const files = images.map((img) => this.objectFile(t, patientId, series, seriesNo, img));
    t += 1;
    this.n(t, `Number of images to send: ${files.length}`);
    this.n(t, `Virtual server - collecting ${files.length} missing objects from MAINPACS`);
    const nested = this.open(t, 'MAINPACS', 4096, [CT_STORE]);
    for (const f of files) {
      this.n(t, `Written file: ${MAG}${f}`);
      this.user(t, 'C-Store', 'MAINPACS');
    }
    t += 1;
    this.n(t, `Virtual server - Grabbed ${files.length} images for ${patientId} from MAINPACS`);
    this.close(t, nested);
    for (const f of files) this.n(t, `Sending file : ${MAG}${f}`);
    t += 1;
    this.n(t, 'C-Move (PatientRoot)');
    this.user(t, 'C-Move ', ae);
    this.close(t, a);
    return t;
  }

  /**
   * THE FAILED RETRIEVE (§4.3 c, §7): the virtual query makes the rows under the BSN (debug-only
   * `Virtual query (MAINPACS) added` lines, so the BSN is nowhere in this normal log), then the
   * destination refuses the association and nothing fetches the files.
   */
  failedMove(t: number, ae: string, dest: string, patientId: string, series: string, seriesNo: number, images: number[]): { end: number; phantom: string[] } {
    const a = this.open(t, ae, 16384, [PR_FIND, PR_MOVE]);
    this.n(t, `\tC-Move Destination: "${dest.length % 2 ? dest + ' ' : dest}"`);
    const phantom = images.map((img) => this.objectFile(t, patientId, series, seriesNo, img));
    this.n(t, `Number of images to send: ${phantom.length}`);
    this.n(t, `Host '${dest}' did not accept the connection`);
    this.n(t, 'C-Move (PatientRoot)');
    this.user(t, 'C-Move ', ae);
    this.close(t, a);
    return { end: t, phantom };
  }

  /** A push under the real ID that collides with the phantom study (§4.3 d): Refused + Error pairs. */
  refusedPush(t: number, ae: string, images: number[], acceptedAt = t, nameOld?: string, nameNew?: string): number {
    const a = this.open(t, ae, 16384, [CT_STORE, CT_STORE], acceptedAt);
    t += 1;
    for (const img of images) {
      const f = this.objectFile(t, REAL_ID, SERIES_UID, 1, img);
      // Non-link differences come first and go to PacsTrouble.log only; the row is not updated
      // because the link refusal returns FALSE, so they repeat for every object.
      if (nameOld && nameNew) {
        this.trouble(t, `Inconsistent PatientNam in DICOMStudies: PatientID = '${REAL_ID}' StudyInsta = '${STUDY_UID}', Old='${nameOld}', New='${nameNew}'`);
      }
      this.n(t, refusedLine());
      this.n(t, `***Error saving to SQL: ${f}`);
      this.user(t, 'C-Store', ae);
      t += 1;
    }
    this.close(t, a);
    return t;
  }

  /** A C-MOVE by the real ID: the virtual query's own insert is refused (§7), the requester gets C004. */
  refusedMove(t: number, ae: string, dest: string): number {
    const a = this.open(t, ae, 16384, [PR_FIND, PR_MOVE]);
    this.n(t, `\tC-Move Destination: "${dest.length % 2 ? dest + ' ' : dest}"`);
    const f = this.objectFile(t, REAL_ID, SERIES_UID, 1, 2000);
    this.n(t, refusedLine());
    this.n(t, `**** Virtual query db problem - ${f}`);
    this.n(t, 'C-Move (PatientRoot)');
    this.user(t, 'C-Move ', ae);
    this.close(t, a);
    return t;
  }

  /** The zip thread at ZipTime (§1.7): the logs go into the zip, new ones start with the notice. */
  rotate(t: number, zipPath: string): LogFiles {
    const old = this.logs;
    this.logs = emptyLogs();
    this.n(t, `Dgate zipped todays log files as: ${zipPath}`);
    return old;
  }
}

function refusedLine(): string {
  return `***Refused to enter inconsistent link PatientID into DICOMStudies: PatientID = '${REAL_ID}' StudyInsta = '${STUDY_UID}', Old='${BSN}', Refused='${REAL_ID}'`;
}

// ---------------------------------------------------------------- configuration files

export const DICOM_INI = `# This file contains configuration information for the DICOM server
# Example Linux version using SqLite
# Copy this file to dicom.ini to use it
# 20190110: For 1.5.0beta
# 20200308: Templated

[sscscp]
MicroPACS                = sscscp

# Network configuration: server name and TCP/IP port#
MyACRNema                = ROUTER
TCPPort                  = 5678

# Host for postgres or mysql only, name, username and password for database
SQLHost                  = localhost
SQLServer                = /opt/conquest/data/dbase/conquest.db3
Username                 = dontcare
Password                 = dontcare
PostGres                 = 0
MySQL                    = 0
SQLite                   = 1
UseEscapeStringConstants = 0
DoubleBackSlashToDB      = 0

# Configure server
ImportExportDragAndDrop  = 1
ZipTime                  = 05:
UIDPrefix                = 99999.99999
EnableComputedFields     = 1

FileNameSyntax           = 4

# Configuration of compression for incoming images and archival
DroppedFileCompression   = un
IncomingCompression      = un
ArchiveCompression       = as

# For debug information
PACSName                 = ROUTER
OperatorConsole          = 127.0.0.1
DebugLevel               = 0

# Configuration of disk(s) to store images
MAGDeviceFullThreshold   = 30
MAGDevices               = 1
MAGDevice0               = /opt/conquest/data/

VirtualServerFor0        = MAINPACS
CacheVirtualData         = 1
OverlapVirtualGet        = 0

[lua]
association = package.path=package.path..';'..Global.basedir..'lua/?.lua'
`;

export const ACRNEMA_MAP = `/* **********************************************************
 *                                                          *
 * DICOM AE (Application entity) -> IP address / Port map   *
 * (This is file ACRNEMA.MAP)                               *
 *                                                          *
 * All DICOM systems that want to retrieve images from the  *
 * Conquest DICOM server must be listed here with correct   *
 * AE name, (IP adress or hostname) and port number. The    *
 * first entry is the Conquest server itself. The last ones *
 * with * show wildcard mechanism. Add new entries above.   *
 *                                                          *
 * The syntax for each entry is :                           *
 *   AE   <IP adress|Host name>   port number   compression *
 *                                                          *
 * For compression see manual. Values are un=uncompressed;  *
 * ul=littleendianexplicit,ub=bigendianexplicit,ue=both     *
 * j2=lossless jpeg;j3..j6=lossy jpeg;n1..n4=nki private    *
 * js   =lossless jpegLS;  j7=lossy jpegLS                  *
 * jk   =lossless jpeg2000;jl=lossy jpeg2000                *
 * J3NN..j6NN, JLNN or J7NN overrides quality factor to NN% *
 *                                                          *
 ********************************************************** */


ROUTER		10.20.1.15	5678		un
MAINPACS	10.20.1.10	104		un
CT01		10.20.3.21	104		un
WS1		10.20.7.31	104		un
WS2		10.20.7.32	104		un

V*	        	*               1234            un
W*	        	*               666             un
S*		        *               5678            un
`;

// ---------------------------------------------------------------- the two days

/** Series UIDs of the other patients' studies (Philips/GE-style roots, fixed). */
const OTHER = {
  a: { id: '10234567', series: '1.3.46.670589.5.2.10.2156913941.901182117.551203' },
  b: { id: '10456783', series: '1.2.840.113619.2.55.3.604688119.868.1764144363.467' },
  c: { id: '10387265', series: '1.3.46.670589.5.2.10.2156913941.873301456.128844' },
  d: { id: '10567891', series: '1.2.840.113619.2.55.3.604688119.868.1764183330.512' },
  e: { id: '10612348', series: '1.3.46.670589.5.2.10.2156913941.904417790.310957' },
  f: { id: '10729356', series: '1.2.840.113619.2.55.3.604688119.868.1764229690.118' },
  g: { id: '10834562', series: '1.3.46.670589.5.2.10.2156913941.905520338.662071' },
};

export interface IncidentFiles {
  zip: { name: string; text: string; mtime: number }[];
  live: { name: string; text: string; mtime: number }[];
  /** When the failed move happened and when the first refusal came (for tests and the README). */
  failedMoveAt: number;
  firstRefusalAt: number;
}

const text = (lines: string[]): string => (lines.length ? lines.join('\n') + '\n' : '');

/** The whole story as file contents (no I/O). */
export function buildIncident(): IncidentFiles {
  // The process has been running for days: thread numbers and the file counter are well advanced.
  const r = new Router(388, 0x1a2c);
  const cfgTime = at(2026, 11, 20, 10, 12, 44);

  // ---- Thursday 2026-11-26: the day in logs_20261126.zip
  r.n(at(2026, 11, 26, 5, 0, 1), 'Dgate zipped todays log files as: /opt/conquest/logs/logs_20261125.zip');
  const aFiles = r.push(at(2026, 11, 26, 6, 12, 40), 'CT01', OTHER.a.id, OTHER.a.series, 2, [1, 2, 3]);
  // Maintenance restart: thread numbers and the file-name counter start again from 0.
  r.restart(at(2026, 11, 26, 7, 31, 55));
  r.echo(at(2026, 11, 26, 8, 4, 21), 'WS1');
  r.push(at(2026, 11, 26, 9, 26, 3), 'CT01', OTHER.b.id, OTHER.b.series, 3, [1, 2, 3, 4]);
  r.find(at(2026, 11, 26, 11, 15, 47), 'WS1', 'StudyRoot', 'STUDY', 1);
  r.virtualMove(at(2026, 11, 26, 11, 16, 2), 'WS1', 'WS1', OTHER.c.id, OTHER.c.series, 1, [1, 2, 3]);
  // The modality resends the 06:12 study with a corrected name: same ObjectFiles, T-only line.
  r.repush(
    at(2026, 11, 26, 13, 40, 18),
    'CT01',
    aFiles,
    `Inconsistent PatientNam in DICOMStudies: PatientID = '${OTHER.a.id}' StudyInsta = '1.3.46.670589.5.2.10.2156913941.901182160.551188', Old='JANSEN^P', New='JANSSEN^PIETER'`,
  );
  // The radiologist looks the patient up by BSN, then mistypes the destination.
  r.find(at(2026, 11, 26, 16, 41, 30), 'WS1', 'PatientRoot', 'PATIENT', 1);
  const failedMoveAt = at(2026, 11, 26, 16, 42, 7);
  r.failedMove(failedMoveAt, 'WS1', WRONG_DEST, BSN, SERIES_UID, 1, [2000, 3000]);
  r.push(at(2026, 11, 26, 18, 55, 30), 'CT01', OTHER.d.id, OTHER.d.series, 1, [1, 2]);
  r.echo(at(2026, 11, 26, 23, 10, 5), 'WS1');
  r.push(at(2026, 11, 27, 2, 31, 44), 'CT01', OTHER.e.id, OTHER.e.series, 4, [1, 2]);

  // ---- ZipTime 05: on Friday 2026-11-27
  const zipAt = at(2026, 11, 27, 5, 0, 1);
  const old = r.rotate(zipAt, `/opt/conquest/logs/${ZIP_NAME}`);

  // ---- Friday 2026-11-27: the live logs
  r.push(at(2026, 11, 27, 7, 48, 10), 'CT01', OTHER.f.id, OTHER.f.series, 2, [1, 2, 3]);
  r.echo(at(2026, 11, 27, 8, 20, 33), 'WS1');
  const firstRefusalAt = at(2026, 11, 27, 9, 14, 53);
  r.refusedPush(at(2026, 11, 27, 9, 14, 52), 'CT01', [2000, 3000], undefined, 'VRIES^JAN DE', 'DE VRIES^JAN');
  // The modality retries; this association was accepted a second before its first line.
  r.refusedPush(at(2026, 11, 27, 9, 15, 23), 'CT01', [2000, 3000], at(2026, 11, 27, 9, 15, 22), 'VRIES^JAN DE', 'DE VRIES^JAN');
  r.find(at(2026, 11, 27, 9, 31, 40), 'WS1', 'PatientRoot', 'PATIENT', 1);
  r.refusedMove(at(2026, 11, 27, 9, 32, 5), 'WS1', 'WS1');
  r.push(at(2026, 11, 27, 10, 5, 19), 'CT01', OTHER.g.id, OTHER.g.series, 3, [1, 2]);
  const live = r.logs;

  // 7za adds `*.log *.ini *.sql *.map *.lst` and lists them in name order (as in s6-zip-rotation).
  const zip = [
    { name: 'PacsTrouble.log', text: text(old.trouble), mtime: old.lastTrouble },
    { name: 'PacsUser.log', text: text(old.user), mtime: old.lastUser },
    { name: 'acrnema.map', text: ACRNEMA_MAP, mtime: cfgTime },
    { name: 'dicom.ini', text: DICOM_INI, mtime: cfgTime },
    { name: 'serverstatus.log', text: text(old.serverstatus), mtime: old.lastStatus },
  ];
  const liveFiles = [
    { name: 'serverstatus.log', text: text(live.serverstatus), mtime: live.lastStatus },
    { name: 'PacsTrouble.log', text: text(live.trouble), mtime: live.lastTrouble },
    { name: 'PacsUser.log', text: text(live.user), mtime: live.lastUser },
    { name: 'dicom.ini', text: DICOM_INI, mtime: cfgTime },
    { name: 'acrnema.map', text: ACRNEMA_MAP, mtime: cfgTime },
  ];
  return { zip, live: liveFiles, failedMoveAt, firstRefusalAt };
}

export const README = `# samples/incident — a Conquest router that stored a study under a BSN

A generated, reproducible Conquest install folder (\`ROUTER\`, virtual server for \`MAINPACS\`,
FileNameSyntax 4, Linux \`-^serverstatus.log\` with ctime stamps, server clock UTC). Regenerate with
\`npx tsc -p tsconfig.json && node dist/tools/make-incident.js\` (source: \`src/tools/make-incident.ts\`).

What happened (reference §4.3 c–d and §7):

1. **Thu 2026-11-26 16:42:07** (in \`logs/logs_20261126.zip\`): WS1 looks up a patient by BSN
   \`123456782\` and C-MOVEs the study to \`WS2\` instead of itself. ROUTER's virtual query makes
   two image rows for it under PatientID \`123456782\` on \`MAG0.0\` (debug-only lines, so the BSN
   appears nowhere in these logs), says \`Number of images to send: 2\`, then
   \`Host 'WS2' did not accept the connection\`. The phantom rows stay.
2. **Fri 2026-11-27 09:14:52** (live \`serverstatus.log\`): CT01 pushes study
   \`1.3.46.670589.5.2.10.2156913941.892665384.993397\` of patient \`12345678\`; each object is
   refused (\`***Refused to enter inconsistent link … Old='123456782', Refused='12345678'\` +
   \`***Error saving to SQL\`). CT01 retries at 09:15:23 with the same result. \`PacsTrouble.log\`
   also holds the T-only \`Inconsistent PatientNam\` line before each refusal.
3. **09:32:05**: WS1 C-MOVEs the study by the real ID; the virtual query's insert is refused
   (\`**** Virtual query db problem\`) and nothing is sent.

What cqlog should find: one collision on that study, Old \`123456782\` (a 9-digit value that passes
the Dutch 11-check: probably a BSN), caused by the failed move of 2026-11-26 16:42:07 from WS1 to
WS2 (2 images), with 4 refused stores and 1 refused retrieve, still unresolved at the end of the logs.
Everything else (pushes of other patients, a successful virtual move, C-Finds, C-Echos, a
maintenance restart at 07:31:55 that resets thread numbers, a name correction) is normal traffic.
`;

// ---------------------------------------------------------------- writing

function zipBuffer(entries: { name: string; text: string; mtime: number }[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const e of entries) {
      // Stored, not deflated: compressed bytes could differ between zlib builds; DOS time only.
      z.addBuffer(Buffer.from(e.text, 'latin1'), e.name, { mtime: localDate(e.mtime), compress: false, forceDosTimestamp: true, mode: 0o100644 });
    }
    z.end();
    const parts: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => parts.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(parts)));
    z.outputStream.on('error', reject);
  });
}

export async function writeIncident(outDir: string): Promise<string[]> {
  const s = buildIncident();
  mkdirSync(path.join(outDir, 'logs'), { recursive: true });
  const written: string[] = [];
  const put = (rel: string, data: string | Buffer, mtime: number): void => {
    const p = path.join(outDir, rel);
    writeFileSync(p, data);
    utimesSync(p, mtime, mtime);
    written.push(p);
  };
  for (const f of s.live) put(f.name, Buffer.from(f.text, 'latin1'), f.mtime);
  put(path.join('logs', ZIP_NAME), await zipBuffer(s.zip), at(2026, 11, 27, 5, 0, 1));
  put('README.md', README, at(2026, 11, 27, 12, 0, 0));
  return written;
}

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--out');
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const out = i !== -1 && argv[i + 1] ? path.resolve(argv[i + 1]!) : path.join(root, 'samples', 'incident');
  const files = await writeIncident(out);
  for (const f of files) process.stdout.write(`wrote ${path.relative(process.cwd(), f)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`make-incident: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
