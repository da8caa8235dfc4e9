/** Builds Conquest-shaped log text (Linux ctime prefix) for the forensic tests, following reference §4.3 and §7. */
import { EventAssembler } from '../../src/parse/assemble.js';
import type { LogEvent } from '../../src/parse/event.js';
import { ctime as ctimeOfSeconds } from '../../src/tools/dgateText.js';

/** dgate's ctime stamp of a wall clock given in UTC milliseconds. */
export function ctime(ms: number): string {
  return ctimeOfSeconds(Math.floor(ms / 1000));
}

export const STUDY = '1.3.46.670589.5.2.10.2156913941.892665384.993397';
export const SERIES = '1.3.46.670589.5.2.10.2156913941.892665339.860724';
export const BSN = '123456782';
export const HOSPITAL_ID = '12345678';
const MOVE_CTX = '1.2.840.10008.5.1.4.1.2.1.2';
const FIND_CTX = '1.2.840.10008.5.1.4.1.2.1.1';
const CT_CTX = '1.2.840.10008.5.1.4.1.1.2';

/** A log being written: wall clock in UTC milliseconds used as local time (no zone). */
export class LogBuilder {
  lines: string[] = [];
  private thread = 0;
  private counter = 0;
  constructor(public ms: number) {}

  at(iso: string): this {
    this.ms = Date.parse(iso + 'Z');
    return this;
  }
  tick(seconds = 1): this {
    this.ms += seconds * 1000;
    return this;
  }
  line(msg: string): this {
    this.lines.push(`${ctime(this.ms)} ${msg}`);
    return this;
  }
  /** The lines of `UPACS THREAD n: STARTED` and its frame (reference §2.3). */
  start(calling: string, contexts: string[]): number {
    const n = this.thread++;
    this.line('').line(`UPACS THREAD ${n}: STARTED AT: ${ctime(this.ms)}`);
    this.line(`\tCalling Application Title : "${calling.padEnd(16)}"`).line(`\tCalled Application Title : "ROUTER          "`);
    this.line(`\tApplication Context : "1.2.840.10008.3.1.1.1", PDU length: 16384`);
    contexts.forEach((c, i) => this.line(`\tPresentation Context ${i} "${c}" 1`));
    return n;
  }
  end(n: number): this {
    return this.line(`UPACS THREAD ${n}: ENDED AT: ${ctime(this.ms)}`).line(`UPACS THREAD ${n}: TOTAL RUNNING TIME: 0 SECONDS`);
  }
  fileName(folder: string, series = SERIES, image = 1, sep = '/'): string {
    const t = Math.floor(this.ms / 1000);
    return `${folder}${sep}${series}_0001_${String(image * 1000).padStart(6, '0')}_${t}${(this.counter++).toString(16).padStart(4, '0')}.dcm`;
  }
  /** §4.3 (c): a virtual-server move whose destination refuses; `debugFolder` adds the debug row lines. */
  failedMove(requester: string, dest: string, images: number, debugFolder?: string): number {
    const n = this.start(requester, [FIND_CTX, MOVE_CTX]);
    this.line(`\tC-Move Destination: "${dest} "`);
    if (debugFolder) for (let i = 1; i <= images; i++) this.line(`Virtual query (MAINPACS) added - ${this.fileName(debugFolder, SERIES, i)}`);
    this.line(`Number of images to send: ${images}`).line(`Host '${dest}' did not accept the connection`).line('C-Move (PatientRoot)');
    return this.end(n), n;
  }
  /** A normal push (§4.3 (a)). */
  push(calling: string, folder: string, images: number, series = SERIES): this {
    const n = this.start(calling, [CT_CTX]);
    for (let i = 1; i <= images; i++) this.line(`Written file: /opt/conquest/data/${this.fileName(folder, series, i)}`);
    return this.end(n);
  }
  /** §4.3 (d): a push refused because the study is linked to `old`. */
  refusedPush(calling: string, refused: string, old: string, images: number, trouble?: LogBuilder): this {
    const n = this.start(calling, [CT_CTX]);
    for (let i = 1; i <= images; i++) {
      const r = `***Refused to enter inconsistent link PatientID into DICOMStudies: PatientID = '${refused}' StudyInsta = '${STUDY}', Old='${old}', Refused='${refused}'`;
      const e = `***Error saving to SQL: ${this.fileName(refused, SERIES, i)}`;
      this.line(r).line(e);
      if (trouble) trouble.at(new Date(this.ms).toISOString().slice(0, 19)).line(r).line(e);
    }
    return this.end(n);
  }
  /** §7: a later move that cleans the phantom rows of `old` up. */
  cleanupMove(requester: string, old: string, images: number): this {
    const n = this.start(requester, [MOVE_CTX]);
    this.line(`\tC-Move Destination: "${requester} "`).line(`Number of images to send: ${images}`);
    this.line(`Virtual server - collecting ${images} missing objects from MAINPACS`);
    this.line('*** Virtual server - remote C-MOVE DICOM Error code c004 (49156) from MAINPACS').line('*** Failed to retrieve some files:');
    for (let i = 1; i <= images; i++) this.line(`*** missing file: MAG0.0 ${this.fileName(old, SERIES, i)}`).line(`Deleting database entry for image: ${STUDY}.${i}`);
    this.line('C-Move (PatientRoot)');
    return this.end(n);
  }
  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

/** Parses builder output into events, as the pipeline does. */
export function eventsOf(source: string, text: string, opts: { tz?: string } = {}): LogEvent[] {
  const out: LogEvent[] = [];
  const a = new EventAssembler(source, opts, (e) => out.push(e), () => {});
  let offset = 0;
  text.split('\n').forEach((l, i, all) => {
    if (i === all.length - 1 && l === '') return;
    a.line(l, offset, i + 1);
    offset += Buffer.byteLength(l, 'latin1') + 1;
  });
  a.end();
  return out;
}
