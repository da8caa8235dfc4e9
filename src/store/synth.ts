/**
 * A deterministic generator of dgate-shaped `serverstatus.log` text (Windows `-#`/`-^` prefix
 * `YYYYMMDD HH:MM:SS`), used by the index benchmark and the store tests. Associations of modalities
 * storing images, workstations moving studies, and now and then an error, over many patients.
 */

import { rng } from '../common/rng.js';

export { rng };

const MODALITIES = ['CT01', 'MR01', 'US02', 'CR03', 'PET1'];
const WORKSTATIONS = ['WS1', 'WS2', 'VIEWER', 'RADWS07'];
const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export interface SynthOptions {
  seed?: number;
  /** Number of distinct patients (IDs `10000000 + k`). */
  patients?: number;
  /** Start of the log, ms since the epoch (UTC wall clock is written). */
  startMs?: number;
}

/** The patient ID and study/series UIDs the generator uses for patient k. */
export function synthPatient(k: number): { id: string; study: string; series: string } {
  return {
    id: String(10000000 + k),
    study: `1.2.826.0.1.3680043.9.7.${k}.1`,
    series: `1.2.826.0.1.3680043.9.7.${k}.1.2`,
  };
}

/**
 * Yields blocks of lines (each ends in CRLF, as a Windows dgate writes) until `maxLines` lines were
 * made. Each block is one association or one standalone message.
 */
export function* synthBlocks(maxLines: number, o: SynthOptions = {}): Generator<string> {
  const rand = rng(o.seed ?? 1);
  const patients = o.patients ?? 5000;
  let ms = o.startMs ?? Date.UTC(2023, 0, 2, 6, 0, 0);
  let thread = 1;
  let made = 0;
  let counter = 0;
  const stamp = (): string => {
    const d = new Date(ms);
    return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  };
  const ctime = (): string => {
    const d = new Date(ms);
    return `${WEEKDAY[d.getUTCDay()]} ${MONTH[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
  };
  const first = [
    `${stamp()} DGATE (1.5.0e, build Tue Feb 18 19:39:40 2025, bits 64) is running as threaded server`,
    `${stamp()} Database type: native MySQL connection`,
    `${stamp()} Started zip and cleanup thread`,
  ];
  made += first.length;
  yield first.join('\r\n') + '\r\n';
  while (made < maxLines) {
    ms += 1000 + Math.floor(rand() * 20000);
    const k = Math.floor(rand() * patients);
    const p = synthPatient(k);
    const r = rand();
    const t = thread++;
    const lines: string[] = [];
    const L = (s: string): void => {
      lines.push(`${stamp()} ${s}`);
    };
    L('');
    L(`UPACS THREAD ${t}: STARTED AT: ${ctime()}`);
    if (r < 0.7) {
      const ae = MODALITIES[Math.floor(rand() * MODALITIES.length)]!;
      L(`\tCalling Application Title : "${ae.padEnd(16)}"`);
      L(`\tCalled Application Title : "ROUTER          "`);
      L(`\tApplication Context : "1.2.840.10008.3.1.1.1", PDU length: 16384`);
      L(`\tPresentation Context 0 "1.2.840.10008.5.1.4.1.1.2" 1`);
      const n = 1 + Math.floor(rand() * 12);
      for (let i = 0; i < n; i++) {
        ms += Math.floor(rand() * 800);
        const fileTime = Math.floor(ms / 1000);
        L(`Written file: D:\\conquest\\data\\${p.id}\\${p.series}_0001_${pad(i + 1, 6)}_${fileTime}${pad(counter++ % 10000, 4)}.dcm`);
      }
      if (rand() < 0.02) {
        L(`***Refused to enter inconsistent link PatientID into DICOMStudies: PatientID = '${p.id}' StudyInsta = '${p.study}', Old='${synthPatient(k + 1).id}', Refused='${p.id}'`);
      }
    } else if (r < 0.95) {
      const ae = WORKSTATIONS[Math.floor(rand() * WORKSTATIONS.length)]!;
      L(`\tCalling Application Title : "${ae.padEnd(16)}"`);
      L(`\tCalled Application Title : "ROUTER          "`);
      L(`\tApplication Context : "1.2.840.10008.3.1.1.1", PDU length: 16384`);
      L(`\tPresentation Context 0 "1.2.840.10008.5.1.4.1.2.2.2" 1`);
      L(`\tC-Move Destination: "${ae.padEnd(4)}"`);
      const n = 1 + Math.floor(rand() * 8);
      L(`Number of images to send: ${n}`);
      if (rand() < 0.05) L(`Host '${ae}' did not accept the connection`);
      else {
        for (let i = 0; i < n; i++) L(`Sending file : D:\\conquest\\data\\${p.id}\\${p.series}_0001_${pad(i + 1, 6)}_${Math.floor(ms / 1000)}${pad(i, 4)}.dcm`);
      }
      L('C-Move (StudyRoot)');
    } else {
      L(`\tCalling Application Title : "ECHOSCU         "`);
      L(`\tCalled Application Title : "ROUTER          "`);
      L(`\tApplication Context : "1.2.840.10008.3.1.1.1", PDU length: 16384`);
      L(`\tPresentation Context 0 "1.2.840.10008.1.1" 1`);
    }
    L(`UPACS THREAD ${t}: ENDED AT: ${ctime()}`);
    L(`UPACS THREAD ${t}: TOTAL RUNNING TIME: ${Math.floor(rand() * 5)} SECONDS`);
    const take = Math.min(lines.length, maxLines - made);
    made += take;
    yield lines.slice(0, take).join('\r\n') + '\r\n';
  }
}
