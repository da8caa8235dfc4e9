/** The incident of reference §7 as a dgate writer plan (test/fixtures/dgate-writer.mjs), with filler and rotations. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers.js';

export const WRITER = path.join(ROOT, 'test', 'fixtures', 'dgate-writer.mjs');

export type Step = { line: string; stamp?: boolean } | { rotate: string };

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => (n < 10 ? '0' : '') + n;

export function ctime(sec: number): string {
  const t = new Date(sec * 1000);
  const d = t.getUTCDate();
  return `${DAYS[t.getUTCDay()]} ${MONTHS[t.getUTCMonth()]} ${d < 10 ? ' ' + d : d} ${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${p2(t.getUTCSeconds())} ${t.getUTCFullYear()}`;
}

export const DICOM_INI = `[sscscp]
MyACRNema                = ROUTER
PACSName                 = ROUTER
ZipTime                  = 05:
FileNameSyntax           = 4
MAGDevices               = 1
MAGDevice0               = /opt/conquest/data/
VirtualServerFor0        = MAINPACS
CacheVirtualData         = 1
`;

export const REFUSED =
  "***Refused to enter inconsistent link PatientID into DICOMStudies: PatientID = '12345678' StudyInsta = '1.2.3', Old='123456782', Refused='12345678'";

/** Builds steps with a clock that advances one second every few lines. */
export class PlanBuilder {
  steps: Step[] = [];
  private t: number;
  private n = 0;
  private thread = 1;
  private zips = 0;

  constructor(
    readonly dir: string,
    start = Date.UTC(2026, 10, 27, 4, 0, 0) / 1000,
  ) {
    this.t = start;
  }

  get lines(): number {
    return this.steps.filter((s) => 'line' in s).length;
  }

  line(msg: string, stamp = false): void {
    this.n++;
    if (this.n % 3 === 0) this.t++;
    this.steps.push(stamp ? { line: `${ctime(this.t)} ${msg}`, stamp } : { line: `${ctime(this.t)} ${msg}` });
  }

  private open(calling: string, contexts: string[]): number {
    const th = this.thread++;
    this.line('');
    this.line(`UPACS THREAD ${th}: STARTED AT: ${ctime(this.t)}`);
    this.line(`\tCalling Application Title : "${calling.padEnd(16)}"`);
    this.line(`\tCalled Application Title : "${'ROUTER'.padEnd(16)}"`);
    this.line(`\tApplication Context : "1.2.840.10008.3.1.1.1", PDU length: 16384`);
    contexts.forEach((uid, i) => this.line(`\tPresentation Context ${i} "${uid}" 1`));
    return th;
  }

  private close(th: number): void {
    this.line(`UPACS THREAD ${th}: ENDED AT: ${ctime(this.t)}`);
    this.line(`UPACS THREAD ${th}: TOTAL RUNNING TIME: 0 SECONDS`);
  }

  /** An association with a C-Echo: ordinary traffic, 10 lines. */
  echo(): void {
    const th = this.open('CT01', ['1.2.840.10008.1.1']);
    this.line('C-Echo');
    this.close(th);
  }

  filler(lines: number): void {
    const target = this.lines + lines;
    while (this.lines + 10 <= target) this.echo();
    while (this.lines < target) this.line('Database type: built-in SQLite driver');
  }

  /** The failed virtual-server retrieve (§7): the phantom risk. */
  failedMove(): void {
    const th = this.open('WS1', ['1.2.840.10008.5.1.4.1.2.1.1', '1.2.840.10008.5.1.4.1.2.1.2']);
    this.line('\tC-Move Destination: "WS2 "');
    this.line('Number of images to send: 2');
    this.line("Host 'WS2' did not accept the connection", true);
    this.line('C-Move (PatientRoot)');
    this.close(th);
  }

  /** The push under the real ID refused twice (one collision, two refusals). */
  refusedPush(): void {
    const th = this.open('CT01', ['1.2.840.10008.5.1.4.1.1.2']);
    for (const img of [1, 2]) {
      this.line(REFUSED, img === 1);
      this.line(`***Error saving to SQL: 12345678\\1.2.3.4_0001_00000${img}_179580796000${img}.dcm`);
    }
    this.close(th);
  }

  /** ZipTime: zip-and-delete, then the notice that starts the new file. */
  rotate(): void {
    this.zips++;
    const d = new Date((this.t - 86400) * 1000);
    const name = `logs_${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${this.zips > 1 ? `_${this.zips}` : ''}.zip`;
    // Conquest names the zip by date; the suffix keeps many rotations in one test apart.
    this.steps.push({ rotate: name });
    this.t++;
    this.line(`Dgate zipped todays log files as: /opt/conquest/logs/${name}`);
  }

  /** Writes dicom.ini and the plan file; returns the plan's path. */
  write(extra: Record<string, unknown> = {}): string {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(path.join(this.dir, 'dicom.ini'), DICOM_INI);
    const p = path.join(path.dirname(this.dir), `${path.basename(this.dir)}-plan.json`);
    writeFileSync(p, JSON.stringify({ dir: this.dir, steps: this.steps, ...extra }));
    return p;
  }
}

/** Runs steps [from, to) of a plan to the end (synchronously). */
export function writeSteps(plan: string, from: number, to: number): void {
  const r = spawnSync(process.execPath, [WRITER, plan, String(from), String(to)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`writer failed: ${r.stderr}`);
}

/** Starts the writer in the background at a pace. */
export function startWriter(plan: string, from: number, to: number, rate: number): { done: Promise<void> } {
  const child = spawn(process.execPath, [WRITER, plan, String(from), String(to), String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return {
    done: new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
    }),
  };
}
